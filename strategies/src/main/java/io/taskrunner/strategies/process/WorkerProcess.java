package io.taskrunner.strategies.process;

import io.taskrunner.strategies.WorkerCrashedException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The pool's handle on one worker process: its pipes, its in-flight table, and three daemon
 * platform threads: a reader of the worker's protocol stream, a writer to its stdin, and a drainer
 * of its stderr.
 *
 * <p>Writing: frames for the worker go into an {@link Outbox}, which one thread at a time drains
 * into the buffered stdin and flushes once, so requests that pile up while a flush is in progress
 * share the next system call. For a JVM worker ({@link WorkerMain}, whose stdin reader never waits
 * on anything but its input, so its stdin always drains), the thread that sends a request drains
 * the outbox itself when no other thread is: the submitting thread (no thread hop on the round
 * trip) or this worker's reader (no wake-up per reply burst when tasks are pipelined). Everything
 * else goes through the writer thread: the other workers' readers, cancels, and every request to a
 * worker in another language, which may stop reading while it writes (a single-threaded worker):
 * there, a reader blocked on a full stdin pipe could deadlock with a worker blocked on its full
 * stdout, and a submitter could wait for the worker to finish its current task.
 *
 * <p>Reading: the reader thread alone reads frames. It completes each task from its reply frame,
 * and tells the pool how many requests were answered once the bytes buffered so far are consumed,
 * so a burst of replies frees the worker's slots under one acquisition of the pool's lock.
 *
 * <p>Concurrency: the {@link InFlightTable} is closed exactly once, when the worker is found dead,
 * so every registered task gets exactly one reply: its frame or the crash. The fields {@code
 * assigned}, {@code started} and {@code retiring} belong to the pool and are guarded by the pool's
 * lock. Thread-safe otherwise.
 *
 * <p>Failure: end of stream, a protocol error or a broken pipe all end in {@link #finish}: the
 * process is killed if still alive, its exit code collected, its stderr drained, and every
 * in-flight task failed with one {@link WorkerCrashedException}.
 */
final class WorkerProcess {
  private static final System.Logger LOG = System.getLogger(ProcessPoolRunner.class.getName());
  private static final int TAIL_LINES = 40;

  /** In the outbox: close the worker's stdin after the frames before it. */
  private static final Object CLOSE = new Object();

  final String label;
  private final ProcessPoolRunner pool;
  private final Process process;
  private final Outbox<Object> outbox = new Outbox<>(this::writeOne, this::flushOut);
  private final DataOutputStream toWorker; // only by the thread draining the outbox
  private boolean outputClosed; // ditto
  private final FrameInput input;
  private final DataInputStream fromWorker;
  private final int maxFrameBytes;
  private final boolean drainsStdin; // a JVM worker: it always reads its stdin
  private final InFlightTable<RemoteTask<?>> inFlight = new InFlightTable<>();
  private final ArrayDeque<String> tail = new ArrayDeque<>();
  private final CountDownLatch exited = new CountDownLatch(1);
  private final Thread drainer;
  private final Thread reader;
  private final Thread writer;

  private final WorkerLifecycle life = new WorkerLifecycle();

  // Owned by the pool, guarded by its lock.
  int assigned;
  int started;
  boolean retiring;

  private WorkerProcess(
      ProcessPoolRunner pool, String label, Process process, int maxFrameBytes, boolean jvm) {
    this.pool = pool;
    this.drainsStdin = jvm;
    this.label = label;
    this.process = process;
    this.maxFrameBytes = maxFrameBytes;
    this.toWorker = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
    this.input = new FrameInput(process.getInputStream(), 1 << 16);
    this.fromWorker = new DataInputStream(input);
    this.drainer = new IoThread(this::drainStderr, "taskrunner-" + label + "-stderr", null);
    this.reader = new IoThread(this::readFrames, "taskrunner-" + label + "-frames", this);
    this.writer = new IoThread(this::writeFrames, "taskrunner-" + label + "-stdin", null);
  }

  /**
   * Launches a worker; its threads report to {@code pool}. {@code jvm}: the worker is {@link
   * WorkerMain}, which always drains its stdin.
   */
  static WorkerProcess launch(
      ProcessPoolRunner pool, String label, List<String> command, int maxFrameBytes, boolean jvm)
      throws IOException {
    Process process = new ProcessBuilder(command).start();
    WorkerProcess worker = new WorkerProcess(pool, label, process, maxFrameBytes, jvm);
    worker.drainer.start();
    worker.reader.start();
    worker.writer.start();
    return worker;
  }

  long pid() {
    return process.pid();
  }

  /** Whether the worker said HELLO and its stream has not ended: it may take tasks. */
  boolean isReady() {
    return life.isReady();
  }

  boolean isAlive() {
    return exited.getCount() > 0;
  }

  /**
   * Registers {@code task} as in flight, so that its reply or this worker's death will reach it.
   *
   * @return {@code false} if the worker is already dead (then {@link #death()} says why)
   */
  boolean register(RemoteTask<?> task) {
    return inFlight.register(task.id, task);
  }

  /** Whether request {@code id} was sent and is not answered yet. */
  boolean isInFlight(long id) {
    return inFlight.contains(id);
  }

  /**
   * Queues the request of a {@linkplain #register registered} task; {@link #sendQueued} sends it,
   * with any others queued meanwhile.
   */
  void enqueueRequest(RemoteTask<?> task) {
    outbox.offer(task);
  }

  /**
   * Sends the queued requests, in one write: on the calling thread when this is a JVM worker, no
   * other thread is writing to it, and the caller is not another worker's I/O thread (it may then
   * block while the worker reads a large request); else through the writer thread, without
   * blocking.
   */
  void sendQueued() {
    if (drainsStdin
        && !(Thread.currentThread() instanceof IoThread io && io.owner != this)) {
      boolean unused = outbox.drain();
    } else {
      LockSupport.unpark(writer);
    }
  }

  /** Asks the worker to stop a request; harmless if it already finished. Never blocks. */
  void sendCancel(long id) {
    outbox.offer(new Frames.Frame(Frames.CANCEL, id, Frames.EMPTY));
    LockSupport.unpark(writer);
  }

  /** Writes one frame of the outbox. Called by the thread draining it. */
  private void writeOne(Object next) {
    if (outputClosed) {
      return; // the worker's stdin is closed: it reads no more
    }
    try {
      if (next instanceof RemoteTask<?> task) {
        Frames.write(toWorker, Frames.REQUEST, task.id, task.payload);
      } else if (next instanceof Frames.Frame frame) {
        Frames.write(toWorker, frame.type(), frame.id(), frame.payload());
      } else {
        outputClosed = true;
        toWorker.close();
      }
    } catch (IOException e) {
      failOutput(e);
    }
  }

  /** Flushes what {@link #writeOne} wrote. Called by the thread draining the outbox. */
  private void flushOut() {
    if (outputClosed) {
      return;
    }
    try {
      toWorker.flush();
    } catch (IOException e) {
      failOutput(e);
    }
  }

  private void failOutput(IOException e) {
    outputClosed = true;
    kill("its stdin failed: " + e); // the reader then fails the in-flight tasks with the crash
  }

  /** The writer thread: drains the outbox when an I/O thread or a cancel hands it frames. */
  private void writeFrames() {
    while (isAlive()) {
      if (outbox.isEmpty() || !outbox.drain()) {
        LockSupport.park(this); // the thread draining now writes what this one did not
      }
    }
  }

  @Nullable WorkerCrashedException death() {
    return life.death();
  }

  /**
   * Closes the worker's stdin after the frames already sent: it exits when it reads the end. Never
   * blocks.
   */
  void closeInput() {
    outbox.offer(CLOSE);
    LockSupport.unpark(writer);
  }

  /** Kills the process; the reader thread then reports the death. */
  void kill(String reason) {
    var unused = life.recordKill(reason);
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
        life.markReady();
        pool.workerReady(this);
        int answered = 0;
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
              answered++;
              task.deliver(frame);
            }
            case Frames.RETIRE -> pool.retire(this, "its heap stayed above the limit after GC");
            default ->
                throw new Frames.ProtocolException(
                    "unexpected frame " + Frames.typeName(frame.type()) + " from a worker");
          }
          if (answered > 0 && input.buffered() == 0) {
            // Every reply read so far is delivered: free their slots in one go.
            pool.answered(this, answered);
            answered = 0;
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
    boolean wasReady = life.markEnding(); // before any in-flight task frees its slot
    if (failure != null) {
      kill("it broke the protocol: " + failure.getMessage());
    }
    int exitCode = awaitProcessExit();
    try {
      drainer.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String killed = life.killReason();
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
    life.die(crash); // before the table closes: a refused register finds it
    for (RemoteTask<?> task : inFlight.close()) {
      task.deliverCrash(crash);
    }
    try {
      pool.workerExited(this, crash, wasReady);
    } finally {
      exited.countDown();
      LockSupport.unpark(writer); // it sees the worker gone and ends
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

  /** The pool's own I/O threads: they must never write to a worker's stdin themselves. */
  private static final class IoThread extends Thread {
    /** The worker whose frames this thread reads; {@code null} for the other I/O threads. */
    final @Nullable WorkerProcess owner;

    IoThread(Runnable task, String name, @Nullable WorkerProcess owner) {
      super(task, name);
      this.owner = owner;
      setDaemon(true);
    }
  }

  /** A buffered stream that says how many bytes it holds already read from the pipe. */
  private static final class FrameInput extends BufferedInputStream {
    FrameInput(InputStream in, int size) {
      super(in, size);
    }

    /** Bytes read from the pipe and not consumed yet; read by the reader thread only. */
    int buffered() {
      return count - pos;
    }
  }

  @Override
  public String toString() {
    return label + "[pid=" + process.pid() + ", ready=" + life.wasReady() + ", inFlight=" + inFlight.size() + "]";
  }
}
