/**
 * taskrunner core: the {@link io.taskrunner.TaskRunner} API, {@link io.taskrunner.Workload} traits,
 * the chooser ({@link io.taskrunner.Runners}) and the strategy SPI.
 *
 * <p>Strategies are found with {@link java.util.ServiceLoader}; add {@code
 * io.taskrunner:taskrunner-strategies} to get the built-in ones.
 */
module io.taskrunner.core {
  requires transitive com.google.common;
  requires static transitive org.jspecify;
  requires static com.google.errorprone.annotations;

  exports io.taskrunner;
  exports io.taskrunner.spi;
  // Shared checks, CPU-quota detection and stage-failure unwrapping, for the built-in strategies
  // and their tests only.
  exports io.taskrunner.internal to
      io.taskrunner.strategies,
      io.taskrunner.jcstress,
      io.taskrunner.benchmarks;

  uses io.taskrunner.spi.RunnerProvider;
}
