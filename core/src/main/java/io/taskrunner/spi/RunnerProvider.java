package io.taskrunner.spi;

import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;

/**
 * Creates runners for one {@link Strategy}. Implementations are found with {@link
 * java.util.ServiceLoader} ({@code provides io.taskrunner.spi.RunnerProvider with ...} in {@code
 * module-info}, or {@code META-INF/services} on the class path), must have a public no-argument
 * constructor, and must be thread-safe.
 */
public interface RunnerProvider {

  /** The strategy this provider implements. */
  Strategy strategy();

  /**
   * Creates a runner that the caller owns and must close. Called by {@link
   * io.taskrunner.Runners#forWorkload}; may block while the runner starts (worker processes, for
   * example).
   */
  TaskRunner create(RunnerSpec spec);
}
