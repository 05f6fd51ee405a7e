package io.taskrunner.spi;

import static io.taskrunner.internal.Checks.requirePositive;
import static java.util.Objects.requireNonNull;

import io.taskrunner.Strategy;
import io.taskrunner.Workload;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The resolved configuration of a runner to create: the chooser's decision with every default
 * filled in. Immutable.
 *
 * @param workload what the caller declared
 * @param strategy the chosen strategy
 * @param name the runner's name
 * @param maxConcurrency how many tasks may run at once (threads, virtual threads, workers, or
 *     in-flight tasks on a loop)
 * @param queueCapacity how many accepted tasks may wait beyond {@code maxConcurrency}
 * @param taskTimeout the per-task timeout, or {@code null} for none
 */
public record RunnerSpec(
    Workload workload,
    Strategy strategy,
    String name,
    int maxConcurrency,
    int queueCapacity,
    @Nullable Duration taskTimeout) {

  /** Checks the arguments. */
  public RunnerSpec {
    requireNonNull(workload, "workload");
    requireNonNull(strategy, "strategy");
    requireNonNull(name, "name");
    requirePositive(maxConcurrency, "maxConcurrency");
    requirePositive(queueCapacity, "queueCapacity");
    if (taskTimeout != null) {
      requirePositive(taskTimeout, "taskTimeout");
    }
  }

  /** The per-task timeout, if any. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(taskTimeout);
  }
}
