package io.taskrunner.strategies.process;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.taskrunner.strategies.WorkerCrashedException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The pool's handle on one worker process: its pipes, its in-flight table, and two daemon platform
 * threads, one reading frames from the worker's protocol stream and one draining its stderr.
 *
 * <p>Concurrency: requests are written under the write lock; the reader thread alone reads frames
 * and completes replies. The {@link InFlightTable} is closed exactly once, when the worker is found
 * dead, so every registered task gets exactly one reply: its frame or the crash.
 * The fields {@code assigned}, {@code started} and {@code retiring} belong to the pool and are
 * guarded by the pool's lock.
 *
 * <p>Failure: end of stream, a protocol error or a broken pipe all end in {@link #finish}: the
 * process is killed if still alive, its exit code collected, its stderr drained, and every
 * in-flight task failed with one {@link WorkerCrashedException}.
 */
final class WorkerProcess {
  private static final System.Logger LOG = System.getLogger(ProcessPoolRunner.class.getName());
  private static final int TAIL_LINES = 40;

  final String label;
  private final ProcessPoolRunner pool;
  private final Process process;
  private final ReentrantLock writeLock = new ReentrantLock(); // not synchronized: no pinning
  private final DataOutputStream toWorker;
  private final DataInputStream fromWorker;
  private final int maxFrameBytes;
  private final InFlightTable<RemoteTask<?>> inFlight = new InFlightTable<>();
  private final ArrayDeque<String> tail = new ArrayDeque<>();
  private final CountDownLatch exited = new CountDownLatch(1);
  private final Thread drainer;
  private final Thread reader;

  @GuardedBy("this")
  private @Nullable WorkerCrashedException death;

  private volatile boolean ready;
  private volatile boolean ending; // the stream ended: take no more tasks
  private volatile @Nullable String killReason;

  // Owned by the pool, guarded by its lock.
  int assigned;
  int started;
  boolean retiring;

  private WorkerProcess(ProcessPoolRunner pool, String label, Process process, int maxFrameBytes) {
    this.pool = pool;
    this.label = label;
    this.process = process;
    this.maxFrameBytes = maxFrameBytes;
    this.toWorker = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
    this.fromWorker =
        new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
    this.drainer = new Thread(this::drainStderr, "taskrunner-" + label + "-stderr");
    this.reader = new Thread(this::readFrames, "taskrunner-" + label + "-frames");
    drainer.setDaemon(true);
    reader.setDaemon(true);
  }

  /** Launches a worker; its threads report to {@code pool}. */
  static WorkerProcess launch(
      ProcessPoolRunner pool, String label, List<String> command, int maxFrameBytes)
      throws IOException {
    Process process = new ProcessBuilder(command).start();
    WorkerProcess worker = new WorkerProcess(pool, label, process, maxFrameBytes);
    worker.drainer.start();
    worker.reader.start();
    return worker;
  }

  long pid() {
    return process.pid();
  }

  /** Whether the worker said HELLO and its stream has not ended: it may take tasks. */
  boolean isReady() {
    return ready && !ending;
  }

  boolean isAlive() {
    return exited.getCount() > 0;
  }

  /**
   * Registers {@code task} as in flight and sends its request.
   *
   * @return {@code false} if the worker is already dead (the task was not sent)
   */
  boolean send(RemoteTask<?> task) {
    if (!inFlight.register(task.id, task)) {
      return false; // closed: death is set
    }
    try {
      write(Frames.REQUEST, task.id, task.payload);
    } catch (IOException e) {
      kill("its stdin failed: " + e); // the reader then fails the task with the crash
    }
    return true;
  }

  /** Asks the worker to stop a request; harmless if it already finished. */
  void sendCancel(long id) {
    try {
      write(Frames.CANCEL, id, new byte[0]);
    } catch (IOException e) {
      kill("its stdin failed: " + e);
    }
  }

  private void write(int type, long id, byte[] payload) throws IOException {
    writeLock.lock();
    try {
      Frames.write(toWorker, type, id, payload);
      // Pipelining: a writer queued behind us flushes our frame with its own (lock() cannot be
      // abandoned, and closeInput flushes too), so back-to-back requests share a system call.
      if (!writeLock.hasQueuedThreads()) {
        toWorker.flush();
      }
    } finally {
      writeLock.unlock();
    }
  }

  synchronized @Nullable WorkerCrashedException death() {
    return death;
  }

  /** Closes the worker's stdin: it exits when it reads the end. */
  void closeInput() {
    writeLock.lock();
    try {
      toWorker.close();
    } catch (IOException e) {
      // already gone
    } finally {
      writeLock.unlock();
    }
  }

  /** Kills the process; the reader thread then reports the death. */
  void kill(String reason) {
    if (killReason == null) {
      killReason = reason;
    }
    process.destroyForcibly();
  }

  /** Kills the process if it still runs after a close (called by a timer). */
  void killIfAlive(String reason) {
    if (process.isAlive()) {
      kill(reason);
    }
  }

  boolean awaitExit(long nanos) throws InterruptedException {
    return exited.await(nanos, TimeUnit.NANOSECONDS);
  }

  List<String> tail() {
    synchronized (tail) {
      return new ArrayList<>(tail);
    }
  }

  private void drainStderr() {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        synchronized (tail) {
          if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
          }
          tail.addLast(line);
        }
        LOG.log(Level.INFO, "[{0} pid {1}] {2}", label, process.pid(), line);
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  private void readFrames() {
    IOException failure = null;
    try {
      Frames.Frame hello = Frames.read(fromWorker, maxFrameBytes);
      if (hello != null) {
        if (hello.type() != Frames.HELLO || hello.payload().length < 8) {
          throw new Frames.ProtocolException(
              "expected HELLO as the first frame, got " + Frames.typeName(hello.type()));
        }
        long pid = ByteBuffer.wrap(hello.payload()).getLong();
        if (pid != process.pid()) {
          LOG.log(Level.DEBUG, "{0}: HELLO from pid {1}, launched pid {2}", label, pid, process.pid());
        }
        ready = true;
        pool.workerReady(this);
        for (Frames.Frame frame = Frames.read(fromWorker, maxFrameBytes);
            frame != null;
            frame = Frames.read(fromWorker, maxFrameBytes)) {
          switch (frame.type()) {
            case Frames.RESULT, Frames.FAILURE, Frames.CANCELLED -> {
              RemoteTask<?> task = inFlight.remove(frame.id());
              if (task == null) {
                throw new Frames.ProtocolException(
                    "reply " + Frames.typeName(frame.type()) + " for unknown request " + frame.id());
              }
              task.deliver(frame);
            }
            case Frames.RETIRE -> pool.retire(this, "its heap stayed above the limit after GC");
            default ->
                throw new Frames.ProtocolException(
                    "unexpected frame " + Frames.typeName(frame.type()) + " from a worker");
          }
        }
      }
    } catch (IOException e) {
      failure = e;
    } finally {
      finish(failure);
    }
  }

  private void finish(@Nullable IOException failure) {
    ending = true; // before any in-flight task hears of the crash and frees its slot
    boolean wasReady = ready;
    if (failure != null) {
      kill("it broke the protocol: " + failure.getMessage());
    }
    int exitCode = awaitProcessExit();
    try {
      drainer.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String killed = killReason;
    String reason;
    if (killed != null) {
      reason = "was killed by the pool: " + killed;
    } else if (!wasReady) {
      reason = "exited before it was ready";
    } else {
      reason = "exited while it had " + inFlight.size() + " task(s) in flight";
    }
    WorkerCrashedException crash =
        new WorkerCrashedException(label, process.pid(), exitCode, reason, tail(), failure);
    synchronized (this) {
      death = crash; // before the table closes: a refused register finds it
    }
    for (RemoteTask<?> task : inFlight.close()) {
      task.deliverCrash(crash);
    }
    try {
      pool.workerExited(this, crash, wasReady);
    } finally {
      exited.countDown();
    }
  }

  private int awaitProcessExit() {
    boolean interrupted = false;
    try {
      for (int attempt = 0; ; attempt++) {
        try {
          if (process.waitFor(attempt == 0 ? 5 : 60, TimeUnit.SECONDS)) {
            return process.exitValue();
          }
          process.destroyForcibly(); // closed its stdout but did not exit
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return label + "[pid=" + process.pid() + ", ready=" + ready + ", inFlight=" + inFlight.size() + "]";
  }
}
