package io.taskrunner.strategies.threads;

import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.internal.AbstractTaskRunner;
import io.taskrunner.strategies.internal.StallWatchdog;
import io.taskrunner.strategies.internal.TaskFuture;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

/**
 * CPU-bound work on a work-stealing pool of platform threads ({@link WorkerPool}), one per usable
 * core by default, each with a FIFO queue of its own; idle threads steal from the others.
 *
 * <p>Threads are daemons named {@code taskrunner-<name>-<n>}; they start on demand and stop when
 * the runner terminates. {@code cancel(true)} interrupts the platform thread running the task.
 *
 * <p>Concurrency: each pool thread publishes the task it is running (release store, read by
 * {@code shutdownNow} and the stall watchdog), so {@code shutdownNow} can cancel running tasks
 * without a shared registry on the hot path, and counts its tasks in a stats cell of its own.
 * Thread-safe.
 */
final class ThreadPoolRunner extends AbstractTaskRunner {
  private final WorkerPool pool;
  private final StallWatchdog.Watched watched;
  private final boolean reroute;
  private final ConcurrentHashMap<Thread, TaskFuture<?>> rerouted = new ConcurrentHashMap<>();
  private static final ThreadFactory REROUTED =
      Thread.ofVirtual().name("taskrunner-rerouted-virtual").factory();

  @SuppressWarnings("this-escape") // the pool and the watchdog only keep the reference for later
  ThreadPoolRunner(RunnerSpec spec) {
    super(spec);
    this.pool = new WorkerPool(this, stats, spec.maxConcurrency(), "taskrunner-" + name() + "-");
    this.reroute = spec.workload().isReroutingMisdeclared();
    long stallThreshold = StallWatchdog.configuredThresholdNanos();
    this.watched =
        new StallWatchdog.Watched() {
          @Override
          public String name() {
            return ThreadPoolRunner.this.name();
          }

          @Override
          public void visitRunning(StallWatchdog.RunningVisitor visitor) {
            pool.forEachRunning(visitor::visit);
          }

          @Override
          public long meanWallNanos(String key) {
            return profiler.meanWallNanos(key);
          }

          @Override
          public long thresholdNanos() {
            return stallThreshold;
          }

          @Override
          public void stalled() {
            stats.stalled();
          }
        };
    if (stallThreshold > 0) {
      StallWatchdog.watch(watched);
    }
  }

  @Override
  protected void dispatch(TaskFuture<?> task) {
    if (reroute && profiler.isReported(task.key())) {
      startRerouted(task);
      return;
    }
    pool.execute(task);
  }

  /**
   * Runs a task of a key reported as waiting, not computing, on its own virtual thread instead of a
   * pool thread ({@code Workload.rerouteMisdeclared()}).
   */
  private void startRerouted(TaskFuture<?> task) {
    REROUTED.newThread(() -> runRegistered(rerouted, task)).start();
  }

  @Override
  protected List<TaskFuture<?>> drainQueued() {
    return pool.drain();
  }

  @Override
  protected void cancelRunning() {
    for (TaskFuture<?> task : rerouted.values()) {
      task.cancel(true);
    }
    pool.forEachRunning((worker, task) -> task.cancel(true));
  }

  @Override
  protected void onTerminated() {
    StallWatchdog.unwatch(watched);
    pool.shutdown();
  }

  @Override
  protected boolean awaitResources(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    return pool.awaitTermination(nanos) && awaitEmpty(rerouted, deadline);
  }

  @Override
  protected boolean resourcesReleased() {
    return pool.isTerminated() && rerouted.isEmpty();
  }

  @Override
  protected boolean isOwnThread(Thread thread) {
    return pool.isOwnThread(thread) || rerouted.containsKey(thread);
  }

  @Override
  protected Executor continuationExecutor() {
    return command -> {
      try {
        pool.executeContinuation(command);
      } catch (RejectedExecutionException e) {
        command.run(); // the pool is gone: the work belongs to an already-finished task
      }
    };
  }

  @Override
  protected int mapBatches() {
    return 4 * spec.maxConcurrency();
  }
}
