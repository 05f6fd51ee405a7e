package io.taskrunner.strategies.process;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.taskrunner.Task;
import io.taskrunner.strategies.RemoteTaskException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The worker process: reads {@code REQUEST} and {@code CANCEL} frames from stdin, runs tasks one at
 * a time in arrival order on one thread, and writes {@code RESULT}, {@code FAILURE} and {@code
 * CANCELLED} frames to the protocol stream.
 *
 * <p>Arguments: {@code <parent pid> <max frame bytes> <frames> [<filter pattern>]}, where {@code
 * frames} is {@code fd3} (frames go to {@code /dev/fd/3}; the launcher moved the real stdout there
 * and pointed fd 1 at stderr, so nothing a task prints, even to {@link FileDescriptor#out}, can
 * reach the protocol) or {@code stdout} (frames go to fd 1 and {@link System#out} is redirected
 * to stderr; a direct write to fd 1 would then corrupt the stream, which the pool detects).
 *
 * <p>Lifecycle: the worker exits at once ({@link Runtime#halt}) when stdin ends, which happens
 * when the pool closes it or the parent dies, and when a watchdog sees the parent process gone.
 * Failures of a task (an exception, a result that is not serializable or too large, a class
 * missing here) are sent as {@code FAILURE}; the worker lives. A protocol error exits with code 2.
 *
 * <p>Concurrency: two serving threads share the work (leader/follower). One holds the input and
 * reads frames; when a request arrives while no task runs, that thread gives the input to the
 * other and runs the request itself, then those queued behind it, in arrival order, one at a time.
 * So a request that finds the worker idle runs without a thread hand-off, and the input is always
 * read by a thread that never writes: stdin keeps draining whatever the output does (the pool
 * relies on that: its reader thread may write requests to a JVM worker while it is not reading
 * replies; a CANCELLED for a dropped request goes out from a short-lived thread for the same
 * reason). {@code lock} guards the queue and the two roles; frames are written under the output
 * stream's lock. A cancel interrupts a thread only while it runs that very request (both sides
 * hold the job's lock). A lambda that captures nothing is decoded once per distinct payload.
 */
public final class WorkerMain {
  /** System property: ask to be recycled when the heap in use after a GC exceeds this (bytes). */
  static final String HEAP_LIMIT_PROPERTY = "taskrunner.worker.recycleAboveHeap";

  private final long heapLimit = Long.getLong(HEAP_LIMIT_PROPERTY, 0L);
  private boolean retireSent;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final int maxFrameBytes;
  private final ObjectInputFilter filter;
  private final Object lock = new Object();

  /** Requests read and not started, in arrival order. */
  @GuardedBy("lock")
  private final ArrayDeque<Job> queue = new ArrayDeque<>();

  /** Whether a thread holds the input. */
  @GuardedBy("lock")
  private boolean reading;

  /** Whether a thread runs a task (they run one at a time, in arrival order). */
  @GuardedBy("lock")
  private boolean running;
  private final Map<Long, Job> jobs = new ConcurrentHashMap<>();

  /** Decoded stateless tasks by payload; the task thread's alone. */
  private final Map<PayloadKey, Task<?>> stateless = new HashMap<>();

  private static final int MAX_CACHED_PAYLOAD = 4096;
  private static final int MAX_CACHED_TASKS = 256;

  private WorkerMain(DataInputStream in, DataOutputStream out, int maxFrameBytes, String pattern) {
    this.in = in;
    this.out = out;
    this.maxFrameBytes = maxFrameBytes;
    this.filter = Codec.filter(maxFrameBytes, pattern);
  }

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println(
          "usage: WorkerMain <parent pid> <max frame bytes> <fd3|stdout> [<filter pattern>]");
      Runtime.getRuntime().halt(2);
    }
    long parentPid = Long.parseLong(args[0]);
    int maxFrameBytes = Integer.parseInt(args[1]);
    OutputStream frames;
    if (args[2].equals("fd3")) {
      frames = new FileOutputStream("/dev/fd/3");
    } else {
      frames = new FileOutputStream(FileDescriptor.out);
      System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    }
    String pattern = args.length > 3 ? args[3] : "";
    DataInputStream in =
        new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
    System.setIn(new ByteArrayInputStream(new byte[0])); // tasks must not read the protocol
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(frames, 1 << 16));
    WorkerMain worker = new WorkerMain(in, out, maxFrameBytes, pattern);
    worker.watchParent(parentPid);
    worker.serve();
  }

  private void watchParent(long parentPid) {
    Thread watchdog =
        new Thread(
            () -> {
              for (; ; ) {
                boolean alive = ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false);
                if (!alive) {
                  Runtime.getRuntime().halt(0);
                }
                try {
                  TimeUnit.MILLISECONDS.sleep(250); // a poll period, not synchronisation
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "taskrunner-worker-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private void serve() throws IOException {
    long pid = ProcessHandle.current().pid();
    byte[] about =
        ("taskrunner worker, java " + Runtime.version()).getBytes(StandardCharsets.UTF_8);
    send(
        Frames.HELLO,
        0,
        ByteBuffer.allocate(8 + about.length).putLong(pid).put(about).array());
    Thread other = new Thread(this::serveLoop, "taskrunner-worker-2");
    other.setDaemon(true);
    other.start();
    Thread.currentThread().setName("taskrunner-worker-1");
    serveLoop();
  }

  /**
   * What both serving threads do: take the input when it is free, read frames until a request
   * arrives while no task runs, then hand the input to the other thread and run that request, and
   * any queued behind it, on this one. So a request that finds the worker idle runs on the thread
   * that read it (no hand-off on the round trip), and the input is always read by a thread that
   * does not write.
   */
  private void serveLoop() {
    for (; ; ) {
      synchronized (lock) {
        while (reading) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            // a stray interrupt (a late cancel): keep serving
          }
        }
        reading = true;
      }
      Job job = readUntilRunnable();
      while (job != null) {
        try {
          runOne(job);
        } catch (IOException e) {
          Runtime.getRuntime().halt(0); // the pool closed our output: it is gone
        } catch (Throwable t) {
          // runOne reports a task's own failures; this is one it could not even report (a
          // StackOverflowError encoding a deep cause chain, say). Serving on without this thread
          // would leave requests queued forever in a live process: die, so the pool sees a
          // crash, fails this worker's tasks and starts another.
          t.printStackTrace();
          Runtime.getRuntime().halt(70);
        }
        synchronized (lock) {
          job = queue.pollFirst();
          if (job == null) {
            running = false;
          }
        }
      }
    }
  }

  /**
   * Reads frames, holding the input, until a request can run at once; returns it, having let go of
   * the input and taken the task slot. Exits the process at the end of the input.
   */
  private Job readUntilRunnable() {
    for (; ; ) {
      Frames.Frame frame;
      try {
        frame = Frames.read(in, maxFrameBytes);
      } catch (IOException e) {
        System.err.println("taskrunner worker: protocol error on stdin, exiting: " + e);
        System.err.flush();
        Runtime.getRuntime().halt(2);
        throw new AssertionError("halted", e);
      }
      if (frame == null) {
        Runtime.getRuntime().halt(0); // the pool closed stdin or died
        throw new AssertionError("halted");
      }
      switch (frame.type()) {
        case Frames.REQUEST -> {
          Job job = new Job(frame.id(), frame.payload());
          jobs.put(job.id, job);
          synchronized (lock) {
            if (!running) {
              running = true;
              reading = false;
              lock.notifyAll(); // the other thread takes the input
              return job;
            }
            queue.addLast(job);
          }
        }
        case Frames.CANCEL -> cancel(frame.id());
        default -> {
          System.err.println(
              "taskrunner worker: unexpected frame "
                  + Frames.typeName(frame.type())
                  + " from the pool, exiting");
          System.err.flush();
          Runtime.getRuntime().halt(2);
        }
      }
    }
  }

  private void cancel(long id) {
    Job job = jobs.get(id);
    if (job == null) {
      return; // finished already; its reply is on the way
    }
    boolean dropped;
    synchronized (job) {
      job.cancelled = true;
      Thread thread = job.thread;
      if (thread != null) {
        thread.interrupt();
      }
      if (thread == null) {
        synchronized (lock) {
          dropped = queue.remove(job);
        }
      } else {
        dropped = false;
      }
    }
    if (dropped) {
      jobs.remove(id);
      // Not on this thread: the reader must never wait on the output (the pool may be writing to
      // our stdin from its reader thread, which reads our output only once that write is done).
      Thread answer =
          new Thread(
              () -> {
                try {
                  send(Frames.CANCELLED, id, Frames.EMPTY);
                } catch (IOException e) {
                  // the pool went away; the reader sees end of stream and exits
                }
              },
              "taskrunner-worker-cancelled-" + id);
      answer.setDaemon(true);
      answer.start();
    }
  }

  private void runOne(Job job) throws IOException {
    boolean cancelledEarly;
    synchronized (job) {
      cancelledEarly = job.cancelled;
      if (!cancelledEarly) {
        job.thread = Thread.currentThread();
      }
    }
    if (cancelledEarly) {
      jobs.remove(job.id);
      send(Frames.CANCELLED, job.id, Frames.EMPTY);
      return;
    }
    int type = Frames.FAILURE;
    byte[] reply;
    Task<?> task = null;
    try {
      Object decoded = decodeTask(job.payload);
      if (decoded instanceof Task<?> t) {
        task = t;
        reply = new byte[0];
      } else {
        reply =
            encodeFailure(
                new IllegalArgumentException(
                    "request is not a task: "
                        + (decoded == null ? "null" : decoded.getClass().getName())));
      }
    } catch (ClassNotFoundException e) {
      reply =
          encodeFailure(
              new ClassNotFoundException(
                  "class "
                      + e.getMessage()
                      + " is missing in the worker (pid "
                      + ProcessHandle.current().pid()
                      + "): add it to the pool's class path",
                  e));
    } catch (IOException | RuntimeException e) {
      reply = encodeFailure(new IOException("the task could not be decoded in the worker: " + e, e));
    }
    if (task != null) {
      try {
        Object result = task.call();
        reply = encodeResult(result);
        type = Frames.RESULT;
      } catch (Throwable t) {
        reply = encodeFailure(t);
      }
    }
    boolean cancelled;
    synchronized (job) {
      job.thread = null;
      boolean unused = Thread.interrupted(); // a late cancel must not hit the next task
      cancelled = job.cancelled;
    }
    jobs.remove(job.id);
    if (cancelled) {
      send(Frames.CANCELLED, job.id, new byte[0]);
    } else {
      send(type, job.id, reply);
    }
    if (heapLimit > 0 && !retireSent && heapAfterLastGc() > heapLimit) {
      retireSent = true;
      send(Frames.RETIRE, 0, new byte[0]);
    }
  }

  /**
   * Decodes a request, or takes it from {@code stateless}: a lambda that captures nothing decodes
   * to an interchangeable object every time (see {@link Codec#isStateless}), so its bytes are
   * decoded once. Called by the task thread only.
   */
  private @Nullable Object decodeTask(byte[] payload) throws IOException, ClassNotFoundException {
    boolean small = payload.length <= MAX_CACHED_PAYLOAD;
    PayloadKey key = small ? new PayloadKey(payload) : null;
    if (key != null) {
      Task<?> known = stateless.get(key);
      if (known != null) {
        return known;
      }
    }
    Object decoded = Codec.decode(payload, WorkerMain.class.getClassLoader(), filter);
    if (key != null
        && decoded instanceof Task<?> task
        && stateless.size() < MAX_CACHED_TASKS
        && Codec.isStateless(task.getClass())) {
      stateless.put(key, task);
    }
    return decoded;
  }

  /** The heap in use right after the most recent collection: what the tasks left alive. */
  private static long heapAfterLastGc() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        MemoryUsage afterGc = pool.getCollectionUsage();
        if (afterGc != null) {
          used += afterGc.getUsed();
        }
      }
    }
    return used;
  }

  /** Encodes a result, or throws the exception that explains why it cannot be sent. */
  private byte[] encodeResult(@Nullable Object result) throws IOException {
    byte[] bytes = Codec.encodeValue(result);
    try {
      if (bytes == null) {
        bytes = Codec.encode(result);
      }
    } catch (NotSerializableException e) {
      String path =
          result == null ? null : Codec.pathTo(result, "result", String.valueOf(e.getMessage()));
      NotSerializableException failure =
          new NotSerializableException(
              "the task's result is not serializable: "
                  + e.getMessage()
                  + (path == null ? "" : " at " + path));
      failure.initCause(e);
      throw failure;
    } catch (IOException | RuntimeException e) {
      throw new IOException("the task's result could not be serialized: " + e, e);
    }
    if (bytes.length > maxFrameBytes) {
      throw new IOException(
          String.format(
              Locale.US,
              "the task's result (%s) is %d bytes serialized, over maxFrameBytes %d",
              result == null ? "null" : result.getClass().getName(),
              bytes.length,
              maxFrameBytes));
    }
    return bytes;
  }

  private byte[] encodeFailure(Throwable failure) {
    byte[] bytes;
    try {
      bytes = Codec.encode(failure);
    } catch (IOException | RuntimeException e) {
      bytes = null;
    }
    if (bytes == null || bytes.length > maxFrameBytes) {
      try {
        bytes = Codec.encode(RemoteTaskException.copyOf(failure));
      } catch (IOException | RuntimeException e) {
        bytes = null;
      }
    }
    if (bytes == null || bytes.length > maxFrameBytes) {
      try {
        bytes =
            Codec.encode(
                new IOException(
                    "the task failed with "
                        + failure.getClass().getName()
                        + ", which could not be sent back within maxFrameBytes "
                        + maxFrameBytes));
      } catch (IOException e) {
        throw new IllegalStateException("cannot encode a plain IOException", e);
      }
    }
    return bytes;
  }

  private void send(int type, long id, byte[] payload) throws IOException {
    synchronized (out) {
      Frames.write(out, type, id, payload);
      out.flush();
    }
  }

  /** A request payload as a map key, compared by content. */
  private static final class PayloadKey {
    private final byte[] bytes;
    private final int hash;

    PayloadKey(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(@Nullable Object other) {
      return other instanceof PayloadKey key && hash == key.hash && Arrays.equals(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A request in this worker; {@code cancelled} and {@code thread} are guarded by the job. */
  private static final class Job {
    final long id;
    final byte[] payload;
    boolean cancelled;
    @Nullable Thread thread;

    Job(long id, byte[] payload) {
      this.id = id;
      this.payload = payload;
    }
  }
}
