package io.taskrunner.strategies.process;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.Uninterruptibles;
import io.taskrunner.Task;
import io.taskrunner.strategies.WorkerCrashedException;
import io.taskrunner.strategies.internal.StatsRecorder.Outcome;
import io.taskrunner.strategies.internal.TaskFuture;
import io.taskrunner.strategies.PayloadCodec;
import java.io.IOException;
import java.util.Arrays;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A task run in a worker process. Its {@link #run()} happens on a virtual thread of the pool that
 * sends the request and then waits for the reply, so the foundation's interrupt protocol carries
 * over unchanged: {@code cancel(true)} or a timeout interrupts that thread, which sends a CANCEL
 * frame, waits for the worker's answer for the grace period, and kills the worker if none comes.
 * The task's code counts as running until the worker answered or died, so {@code close()} waits
 * for it.
 *
 * <p>The reply is a one-shot future completed by the worker's reader thread: with the reply frame,
 * or exceptionally with the worker's {@link WorkerCrashedException}. Payloads are decoded on the
 * waiting thread, not on the reader.
 */
final class RemoteTask<T extends @Nullable Object> extends TaskFuture<T> {
  final long id;
  final byte[] payload;
  private final ProcessPoolRunner pool;
  private final ClassLoader loader;
  private final String taskClass;
  private final CompletableFuture<Frames.Frame> reply = new CompletableFuture<>();
  private volatile @Nullable WorkerProcess worker;

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

  void deliver(Frames.Frame frame) {
    reply.complete(frame);
  }

  void deliverCrash(WorkerCrashedException crash) {
    reply.completeExceptionally(crash);
  }

  /** Fails a task that never reached a worker. */
  void failQueued(Throwable failure) {
    boolean unused = fail(failure, Outcome.FAILED);
  }

  @Override
  protected void runBody() throws Exception {
    WorkerProcess target = requireNonNull(worker, "worker");
    if (!target.send(this)) {
      WorkerCrashedException death = target.death();
      fail(
          death != null ? death : new IllegalStateException("worker " + target.label + " is gone"),
          Outcome.FAILED);
      return;
    }
    Frames.Frame frame;
    try {
      frame = awaitReply(target);
    } catch (WorkerCrashedException crash) {
      fail(crash, Outcome.FAILED);
      return;
    }
    switch (frame.type()) {
      case Frames.RESULT -> complete(decodeResult(frame.payload()));
      case Frames.FAILURE -> fail(decodeFailure(frame.payload()), Outcome.FAILED);
      case Frames.CANCELLED -> cancel(false); // only ever after our CANCEL: already done
      default -> throw new IllegalStateException("unexpected reply " + frame.type());
    }
  }

  private Frames.Frame awaitReply(WorkerProcess target) {
    try {
      return unwrap(() -> reply.get());
    } catch (InterruptedException e) {
      // Cancelled or timed out: ask the worker to stop the task; kill the worker if it does not.
      target.sendCancel(id);
      Duration grace = pool.cancelGrace();
      try {
        return unwrap(
            () -> Uninterruptibles.getUninterruptibly(reply, grace.toNanos(), TimeUnit.NANOSECONDS));
      } catch (TimeoutException timeout) {
        target.kill("task " + id + " did not stop within " + grace + " of its cancel message");
        return unwrapUninterruptibly();
      } catch (InterruptedException impossible) {
        throw new AssertionError(impossible);
      }
    } catch (TimeoutException impossible) {
      throw new AssertionError(impossible);
    }
  }

  private Frames.Frame unwrapUninterruptibly() {
    try {
      return unwrap(() -> Uninterruptibles.getUninterruptibly(reply));
    } catch (InterruptedException | TimeoutException impossible) {
      throw new AssertionError(impossible);
    }
  }

  private static Frames.Frame unwrap(ReplyGetter getter)
      throws InterruptedException, TimeoutException {
    try {
      return getter.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WorkerCrashedException crash) {
        throw crash;
      }
      throw new IllegalStateException("unexpected reply failure", e);
    }
  }

  @SuppressWarnings({"unchecked", "NullAway"}) // the worker ran a Task<T>, and T may be nullable
  private T decodeResult(byte[] bytes) throws IOException {
    PayloadCodec codec = pool.codec();
    if (codec != null && bytes.length > 0 && bytes[0] == codec.id()) {
      return (T) codec.decodeResult(Arrays.copyOfRange(bytes, 1, bytes.length));
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

  @FunctionalInterface
  private interface ReplyGetter {
    Frames.Frame get() throws InterruptedException, ExecutionException, TimeoutException;
  }
}
