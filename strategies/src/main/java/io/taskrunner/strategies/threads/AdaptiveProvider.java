package io.taskrunner.strategies.threads;

import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.spi.RunnerProvider;
import io.taskrunner.spi.RunnerSpec;

/** Provides the {@link Strategy#ADAPTIVE} runner through {@link java.util.ServiceLoader}. */
public final class AdaptiveProvider implements RunnerProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public AdaptiveProvider() {}

  @Override
  public Strategy strategy() {
    return Strategy.ADAPTIVE;
  }

  @Override
  public TaskRunner create(RunnerSpec spec) {
    return new AdaptiveRunner(spec);
  }
}
