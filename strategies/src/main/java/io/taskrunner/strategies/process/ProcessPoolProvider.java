package io.taskrunner.strategies.process;

import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.spi.RunnerProvider;
import io.taskrunner.spi.RunnerSpec;

/**
 * Provides the {@link Strategy#PROCESS_POOL} runner through {@link java.util.ServiceLoader}, and
 * creates configured ones for {@link io.taskrunner.strategies.ProcessPool}. Thread-safe.
 */
public final class ProcessPoolProvider implements RunnerProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public ProcessPoolProvider() {}

  @Override
  public Strategy strategy() {
    return Strategy.PROCESS_POOL;
  }

  /**
   * Starts a pool of {@code spec.maxConcurrency()} workers with the default settings, blocking
   * until they are ready.
   *
   * @throws io.taskrunner.strategies.WorkerCrashedException if a worker cannot start
   */
  @Override
  public TaskRunner create(RunnerSpec spec) {
    return create(spec, ProcessPoolConfig.defaults());
  }

  /**
   * Starts a pool with the given settings, blocking until its workers are ready.
   *
   * @throws io.taskrunner.strategies.WorkerCrashedException if a worker cannot start
   */
  public static TaskRunner create(RunnerSpec spec, ProcessPoolConfig config) {
    return ProcessPoolRunner.start(spec, config);
  }
}
