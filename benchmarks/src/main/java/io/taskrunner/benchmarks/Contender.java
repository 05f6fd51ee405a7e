package io.taskrunner.benchmarks;

import io.taskrunner.Runners;
import io.taskrunner.Task;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One executor under test, named by a JMH {@code @Param} value: a taskrunner runner from the public
 * API, or the raw JDK executor of the same kind and size. Created in {@code @Setup}, closed in
 * {@code @TearDown}. Not thread-safe to create or close; {@link #submit} is as thread-safe as the
 * executor.
 */
abstract class Contender implements AutoCloseable {

  /** {@code Runners.forWorkload(Workload.cpuBound())}: work-stealing platform threads. */
  static final String TASKRUNNER_CPU = "taskrunner-cpu";

  /** {@code new ForkJoinPool(n, ..., asyncMode = true)}, n = the CPU runner's size. */
  static final String FORK_JOIN_POOL = "forkjoinpool";

  /** {@code Executors.newFixedThreadPool(n)}, n = the CPU runner's size. */
  static final String FIXED_POOL = "fixed-pool";

  /** {@code Runners.forWorkload(Workload.ioBound())}: a virtual thread per task. */
  static final String TASKRUNNER_VIRTUAL = "taskrunner-virtual";

  /** {@code Executors.newVirtualThreadPerTaskExecutor()}. */
  static final String VIRTUAL_EXECUTOR = "virtual-executor";

  /** Submits {@code task}; the returned future completes with its result. */
  abstract <T> Future<T> submit(Work<T> task);

  @Override
  public abstract void close();

  /** The size the CPU runner picks here (usable cores), used for the raw pools too. */
  static int cpuRunnerSize() {
    return Runners.explain(Workload.cpuBound()).spec().maxConcurrency();
  }

  static Contender create(String name) {
    int n = cpuRunnerSize();
    return switch (name) {
      case TASKRUNNER_CPU -> new OfRunner(Runners.forWorkload(Workload.cpuBound().named("bench")));
      case TASKRUNNER_VIRTUAL ->
          new OfRunner(Runners.forWorkload(Workload.ioBound().named("bench-vt")));
      case FORK_JOIN_POOL ->
          new OfExecutor(
              new ForkJoinPool(n, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true));
      case FIXED_POOL -> new OfExecutor(Executors.newFixedThreadPool(n));
      case VIRTUAL_EXECUTOR -> new OfExecutor(Executors.newVirtualThreadPerTaskExecutor());
      default ->
          throw new IllegalArgumentException(
              String.format(Locale.US, "executor must be one of the benchmark's params: %s", name));
    };
  }

  /** A task that is both a taskrunner {@link Task} and a JDK {@link Callable}. */
  interface Work<T> extends Task<T>, Callable<T> {}

  private static final class OfRunner extends Contender {
    private final TaskRunner runner;

    OfRunner(TaskRunner runner) {
      this.runner = runner;
    }

    @Override
    <T> Future<T> submit(Work<T> task) {
      return runner.submit(task);
    }

    @Override
    public void close() {
      runner.close();
    }
  }

  private static final class OfExecutor extends Contender {
    private final ExecutorService executor;

    OfExecutor(ExecutorService executor) {
      this.executor = executor;
    }

    @Override
    <T> Future<T> submit(Work<T> task) {
      return executor.submit((Callable<T>) task);
    }

    @Override
    public void close() {
      executor.shutdown();
      try {
        if (!executor.awaitTermination(Duration.ofMinutes(1).toSeconds(), TimeUnit.SECONDS)) {
          throw new IllegalStateException("executor did not terminate within 1 minute");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
