package io.taskrunner;

import com.google.common.util.concurrent.ListenableFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * Runs tasks with one concurrency model. Get one from {@link Runners#forWorkload}; the caller owns
 * it and must {@link #close()} it.
 *
 * <h2>Thread-safety</h2>
 *
 * All methods are safe to call from any thread, concurrently. The happens-before edges are those of
 * {@link java.util.concurrent.ExecutorService}: everything a thread did before submitting a task
 * happens-before the task runs, and everything the task did happens-before a successful {@code
 * get()} of its future returns (and before the future's listeners run).
 *
 * <h2>Futures</h2>
 *
 * Every submission returns a Guava {@link ListenableFuture} that completes exactly once: with the
 * task's result, with the exception the task threw (as the cause of {@link
 * java.util.concurrent.ExecutionException}), with a {@link java.util.concurrent.TimeoutException}
 * when the task outlives its timeout, or cancelled. Listeners added with {@code directExecutor()}
 * run on whichever thread completes the future, usually a runner thread: they must be quick and
 * must not block. To use the result as a {@link java.util.concurrent.CompletableFuture}, see {@link
 * CompletableFutures#toCompletableFuture}.
 *
 * <h2>Cancellation</h2>
 *
 * {@code future.cancel(false)} removes a task that has not started; it will never run. {@code
 * future.cancel(true)} also stops a running task, the same way for every strategy: the platform or
 * virtual thread running it is interrupted; on the event loop the task's pending timers and I/O are
 * cancelled; in a worker process a cancel message is sent and, if the task has not stopped after a
 * grace period, the worker is killed and replaced. The future is cancelled at once either way;
 * {@link #close()} still waits for the task's code to return.
 *
 * <h2>Admission</h2>
 *
 * A runner accepts at most {@code maxConcurrency + queueCapacity} unfinished tasks (see {@link
 * Workload}); a submit beyond that, or after {@link #close()}, throws {@link
 * java.util.concurrent.RejectedExecutionException} naming the runner and its state, and the task is
 * not run.
 */
public interface TaskRunner extends AutoCloseable {

  /** This runner's name, as used in thread names, errors, stats and JFR events. */
  String name();

  /** The strategy this runner implements. */
  Strategy strategy();

  /**
   * Submits a task.
   *
   * @return a future that completes with the task's outcome
   * @throws java.util.concurrent.RejectedExecutionException if the runner is closed or full
   * @throws IllegalArgumentException on the process pool, if the task or what it captures cannot be
   *     serialized (the message names the class and the field path)
   */
  <T extends @Nullable Object> ListenableFuture<T> submit(Task<T> task);

  /**
   * Submits a task that starts asynchronous work and completes through the stage it returns. The
   * task holds its admission slot until its future completes.
   *
   * @return a future that completes with the stage's outcome
   * @throws java.util.concurrent.RejectedExecutionException if the runner is closed or full
   */
  <T extends @Nullable Object> ListenableFuture<T> submitAsync(AsyncTask<T> task);

  /**
   * Applies {@code function} to every input in parallel and returns the outputs in input order.
   * Inputs are split into batches (one task per batch), so a long input list never overflows the
   * queue and small items do not pay a scheduling round trip each.
   *
   * <p>If one application throws, the returned future fails with that exception and the batches
   * not yet finished are cancelled. Cancelling the returned future cancels every batch.
   *
   * @return a future of an unmodifiable list, which may contain {@code null} outputs
   * @throws java.util.concurrent.RejectedExecutionException if the runner is closed or full
   */
  <I extends @Nullable Object, O extends @Nullable Object> ListenableFuture<List<O>> map(
      TaskFunction<? super I, ? extends O> function, Iterable<? extends I> inputs);

  /** A consistent snapshot of this runner's counters and timings; cheap, never blocks. */
  RunnerStats stats();

  /**
   * A view of this runner as an {@link ExecutorService} that honours the whole contract: {@code
   * submit}, {@code invokeAll} and {@code invokeAny} (with and without timeouts) run on this
   * runner; {@code shutdown}, {@code shutdownNow}, {@code awaitTermination}, {@code isTerminated}
   * and {@code close} act on this runner. {@code shutdownNow} returns the tasks that never started
   * and cancels their futures, so none hangs. Futures it returns are {@link ListenableFuture}s.
   */
  ExecutorService asExecutorService();

  /** Whether {@link #close()} (or {@code shutdown}) was called: new submits are rejected. */
  boolean isShutdown();

  /** Whether the runner is shut down, every accepted task finished and every thread stopped. */
  boolean isTerminated();

  /**
   * Blocks until the runner terminates after a shutdown, or the timeout elapses.
   *
   * @return {@code true} if terminated, {@code false} if the timeout elapsed first
   * @throws InterruptedException if interrupted while waiting
   */
  boolean awaitTermination(Duration timeout) throws InterruptedException;

  /**
   * Refuses new tasks, lets every accepted task finish, then frees every thread and process. Blocks
   * until then; if interrupted while waiting, cancels the remaining tasks with interrupts (as
   * {@code shutdownNow}), keeps waiting, and returns with the interrupt status set. Idempotent.
   * Called from one of this runner's own threads, it only shuts down, since waiting would deadlock.
   */
  @Override
  void close();
}
