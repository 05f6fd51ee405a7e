package io.taskrunner.strategies.threads;

import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.spi.RunnerProvider;
import io.taskrunner.spi.RunnerSpec;

/** Provides the {@link Strategy#VIRTUAL_THREADS} runner through {@link java.util.ServiceLoader}. */
public final class VirtualThreadProvider implements RunnerProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public VirtualThreadProvider() {}

  @Override
  public Strategy strategy() {
    return Strategy.VIRTUAL_THREADS;
  }

  @Override
  public TaskRunner create(RunnerSpec spec) {
    return new VirtualThreadRunner(spec);
  }
}
