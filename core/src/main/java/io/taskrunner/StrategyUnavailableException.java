package io.taskrunner;

import static java.util.Objects.requireNonNull;

/**
 * Thrown by {@link Runners#forWorkload} when no {@link io.taskrunner.spi.RunnerProvider} for the
 * chosen strategy is on the class path or module path. The message names the artifact to add.
 */
public final class StrategyUnavailableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final Strategy strategy;

  /** Creates the exception for a strategy that has no provider. */
  public StrategyUnavailableException(Strategy strategy) {
    super(
        "No runner provider for strategy "
            + requireNonNull(strategy, "strategy")
            + " was found by ServiceLoader: add the artifact "
            + strategy.artifact()
            + ", at a version that provides "
            + strategy
            + ", to the class path or module path");
    this.strategy = strategy;
  }

  /** The strategy that was chosen but is not available. */
  public Strategy strategy() {
    return strategy;
  }
}
