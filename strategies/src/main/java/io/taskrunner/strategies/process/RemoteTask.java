package io.taskrunner.strategies.process;

import static java.util.Objects.requireNonNull;

import io.taskrunner.Task;
import io.taskrunner.strategies.PayloadCodec;
import io.taskrunner.strategies.WorkerCrashedException;
import io.taskrunner.strategies.internal.StatsRecorder.Outcome;
import io.taskrunner.strategies.internal.TaskFuture;
import io.taskrunner.strategies.internal.Timeouts;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * A task run in a worker process. No thread waits for it: its {@link #run()} (on the thread that
 * assigned it to a worker) registers it in the worker's in-flight table and sends its request, and
 * the worker's reader thread completes it from the reply frame, or with the worker's {@link
 * WorkerCrashedException}. Results are decoded on that reader thread.
 *
 * <p>Cancellation: when the future completes other than by its reply ({@code cancel}, a timeout,
 * {@code shutdownNow}), {@link #onFinished} asks the worker to stop the request with a CANCEL frame
 * and kills the worker if the request is still unanswered after {@code cancelGrace}. The worker
 * stays busy, and the task stays in the pool's {@code running} set, until the worker answered or
 * died.
 *
 * <p>Concurrency: a {@link SendOrder} makes sure CANCEL goes out once, after the request, whoever
 * of the sender and the canceller comes second.
 */
final class RemoteTask<T extends @Nullable Object> extends TaskFuture<T> {
  final long id;
  final byte[] payload;
  private final ProcessPoolRunner pool;
  private final ClassLoader loader;
  private final String taskClass;
  private volatile @Nullable WorkerProcess worker;

  private final SendOrder order = new SendOrder();

  /** Whether {@link #runBody} registered the request; read by the thread that ran it. */
  private boolean registered;

  RemoteTask(ProcessPoolRunner pool, Task<T> task, long id, byte[] payload) {
    super(pool);
    this.pool = pool;
    this.id = id;
    this.payload = payload;
    ClassLoader own = task.getClass().getClassLoader();
    this.loader = own != null ? own : ClassLoader.getSystemClassLoader();
    this.taskClass = task.getClass().getName();
  }

  void assign(WorkerProcess target) {
    worker = target;
  }

  @Nullable WorkerProcess worker() {
    return worker;
  }

  /**
   * Whether the request reached the worker's table: then its reply (or the worker's death) will
   * come. Valid on the thread that called {@link #run()}, after it returned.
   */
  boolean wasRegistered() {
    return registered;
  }

  /** Completes the task from its reply; called by the worker's reader thread. Never throws. */
  void deliver(Frames.Frame frame) {
    pool.answered(this);
    try {
      switch (frame.type()) {
        case Frames.RESULT -> complete(decodeResult(frame.payload()));
        case Frames.FAILURE -> fail(decodeFailure(frame.payload()), Outcome.FAILED);
        default -> {
          // CANCELLED: only ever after our CANCEL, so the future is already done.
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      fail(e, Outcome.FAILED);
    }
  }

  /** Fails the task with its worker's death; called by the worker's reader thread. */
  void deliverCrash(WorkerCrashedException crash) {
    pool.answered(this);
    fail(crash, Outcome.FAILED);
  }

  /** Fails a task that never reached a worker. */
  void failQueued(Throwable failure) {
    boolean unused = fail(failure, Outcome.FAILED);
  }

  @Override
  protected void runBody() {
    WorkerProcess target = requireNonNull(worker, "worker");
    if (isDone()) {
      return; // cancelled or timed out since run() looked: send nothing, free the slot now
    }
    if (!target.register(this)) {
      WorkerCrashedException death = target.death();
      fail(
          death != null ? death : new IllegalStateException("worker " + target.label + " is gone"),
          Outcome.FAILED);
      return;
    }
    registered = true;
    target.enqueueRequest(this); // the thread that started this task sends it (see start())
    if (order.sent()) {
      requestCancel(target); // the future completed while we were sending
    }
  }

  /**
   * Called once, by whoever completed the future: the reader (with the reply or the crash), a
   * canceller, the timeout timer. Unless the reply already came, the worker is told to stop.
   */
  @Override
  protected void onFinished() {
    if (order.finished()) {
      WorkerProcess target = worker;
      if (target != null) {
        requestCancel(target);
      }
    }
  }

  private void requestCancel(WorkerProcess target) {
    if (!target.isInFlight(id)) {
      return; // answered already (this is the reply completing the future), or never sent
    }
    target.sendCancel(id);
    long grace = pool.cancelGrace().toNanos();
    ScheduledFuture<?> unused =
        Timeouts.schedule(
            () -> {
              if (target.isInFlight(id)) {
                target.kill(
                    "task " + id + " did not stop within " + pool.cancelGrace() + " of its cancel"
                        + " message");
              }
            },
            grace);
  }

  @SuppressWarnings({"unchecked", "NullAway"}) // the worker ran a Task<T>, and T may be nullable
  private T decodeResult(byte[] bytes) throws IOException {
    PayloadCodec codec = pool.codec();
    if (codec != null && bytes.length > 0 && bytes[0] == codec.id()) {
      return (T) codec.decodeResult(Arrays.copyOfRange(bytes, 1, bytes.length));
    }
    if (bytes.length > 0 && bytes[0] == Frames.CODEC_VALUE) {
      return (T) Codec.decodeValue(bytes);
    }
    try {
      return (T) Codec.decode(bytes, loader, pool.filter());
    } catch (ClassNotFoundException | IOException e) {
      throw new IOException("the task's result could not be decoded in the application: " + e, e);
    }
  }

  private Throwable decodeFailure(byte[] bytes) {
    PayloadCodec codec = pool.codec();
    try {
      if (codec != null && bytes.length > 0 && bytes[0] == codec.id()) {
        return codec.decodeFailure(Arrays.copyOfRange(bytes, 1, bytes.length));
      }
      Object decoded = Codec.decode(bytes, loader, pool.filter());
      return decoded instanceof Throwable t
          ? t
          : new IOException("a worker sent a FAILURE that is not a Throwable: " + decoded);
    } catch (ClassNotFoundException | IOException | RuntimeException e) {
      return new IOException("the task failed, and its exception could not be decoded: " + e, e);
    }
  }

  @Override
  protected @Nullable String pendingToString() {
    WorkerProcess target = worker;
    return super.pendingToString()
        + ", task="
        + taskClass
        + ", request="
        + id
        + (target == null ? "" : ", worker=" + target.label);
  }
}
