package io.taskrunner.strategies.threads;

import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.spi.RunnerProvider;
import io.taskrunner.spi.RunnerSpec;

/** Provides the {@link Strategy#THREAD_POOL} runner through {@link java.util.ServiceLoader}. */
public final class ThreadPoolProvider implements RunnerProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public ThreadPoolProvider() {}

  @Override
  public Strategy strategy() {
    return Strategy.THREAD_POOL;
  }

  @Override
  public TaskRunner create(RunnerSpec spec) {
    return new ThreadPoolRunner(spec);
  }
}
