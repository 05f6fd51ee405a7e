package io.taskrunner.strategies.threads;

import io.taskrunner.Strategy;
import io.taskrunner.Workload;
import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.internal.AbstractTaskRunner;
import io.taskrunner.strategies.internal.KeyProfiler;
import io.taskrunner.strategies.internal.TaskFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code Workload.unknown()}: measures each task key, then routes its later tasks to a platform
 * thread pool (CPU-bound) or to virtual threads (blocking I/O).
 *
 * <p>How it decides: the first {@value KeyProfiler#SAMPLES_TO_ROUTE} tasks of a key run on
 * platform threads with their CPU time and wall time measured (the JVM reports no CPU time for
 * virtual threads); the key's other tasks meanwhile run on virtual threads, which serve both kinds
 * of work acceptably. A key spending at least 30% of its wall time on a CPU goes to the pool, any
 * other to virtual threads. One task in 64 is measured again afterwards, and a key whose recent
 * share drifts past 50% (or below 10%) moves. A running task never moves.
 *
 * <p>Async tasks ({@code submitAsync}) are non-blocking by contract and always run on virtual
 * threads. Thread-safety: as every runner.
 */
final class AdaptiveRunner extends AbstractTaskRunner {
  private final ThreadPoolRunner cpu;
  private final VirtualThreadRunner io;

  AdaptiveRunner(RunnerSpec spec) {
    super(spec);
    this.cpu =
        new ThreadPoolRunner(
            new RunnerSpec(
                spec.workload(),
                Strategy.THREAD_POOL,
                spec.name() + "-cpu",
                spec.maxConcurrency(),
                spec.queueCapacity(),
                null));
    this.io =
        new VirtualThreadRunner(
            new RunnerSpec(
                spec.workload(),
                Strategy.VIRTUAL_THREADS,
                spec.name() + "-io",
                spec.workload().maxConcurrency().orElse(Workload.DEFAULT_IO_CONCURRENCY),
                spec.queueCapacity(),
                null));
  }

  @Override
  protected boolean shouldProfile(TaskFuture<?> task) {
    KeyProfiler.Profile profile = profiler.profile(task.key());
    if (profile == null || !task.isMeasurable()) {
      return false;
    }
    return profile.route() == null
        ? profile.tryProbe()
        : ThreadLocalRandom.current().nextInt(KeyProfiler.RECHECK_EVERY) == 0;
  }

  @Override
  protected void dispatch(TaskFuture<?> task) {
    KeyProfiler.Profile profile = profiler.profile(task.key());
    if (profile != null && profile.route() == Strategy.THREAD_POOL) {
      cpu.dispatch(task);
    } else {
      io.dispatch(task); // measured tasks run there on platform threads
    }
  }

  @Override
  protected List<TaskFuture<?>> drainQueued() {
    List<TaskFuture<?>> drained = new ArrayList<>(cpu.drainQueued());
    drained.addAll(io.drainQueued());
    return drained;
  }

  @Override
  protected void cancelRunning() {
    cpu.cancelRunning();
    io.cancelRunning();
  }

  @Override
  protected void onTerminated() {
    cpu.onTerminated();
    io.onTerminated();
  }

  @Override
  protected boolean awaitResources(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    return cpu.awaitResources(nanos) && io.awaitResources(Math.max(0, deadline - System.nanoTime()));
  }

  @Override
  protected boolean resourcesReleased() {
    return cpu.resourcesReleased() && io.resourcesReleased();
  }

  @Override
  protected boolean isOwnThread(Thread thread) {
    return cpu.isOwnThread(thread) || io.isOwnThread(thread);
  }

  @Override
  protected Executor continuationExecutor() {
    return io.continuationExecutor();
  }

  @Override
  protected int mapBatches() {
    return cpu.mapBatches();
  }
}
