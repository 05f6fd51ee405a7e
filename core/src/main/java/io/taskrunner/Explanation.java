package io.taskrunner;

import static java.util.Objects.requireNonNull;

import io.taskrunner.spi.RunnerSpec;
import java.util.List;

/**
 * Why {@link Runners#forWorkload} picks what it picks: the strategy, the sizes with the formula and
 * inputs that produced them, the reasons in plain words and the trade-offs accepted. Immutable;
 * {@link #toString()} prints all of it.
 *
 * @param workload what was declared
 * @param spec the resolved configuration the runner would be created with (its name is a
 *     placeholder unless the workload is {@linkplain Workload#named named})
 * @param sizing how {@code spec.maxConcurrency()} was computed, with its inputs
 * @param reasons why this strategy, in plain words
 * @param tradeOffs what this choice costs, and when to choose otherwise
 */
public record Explanation(
    Workload workload,
    RunnerSpec spec,
    String sizing,
    List<String> reasons,
    List<String> tradeOffs) {

  /** Checks and copies the arguments. */
  public Explanation {
    requireNonNull(workload, "workload");
    requireNonNull(spec, "spec");
    requireNonNull(sizing, "sizing");
    reasons = List.copyOf(reasons);
    tradeOffs = List.copyOf(tradeOffs);
  }

  /** The chosen strategy. */
  public Strategy strategy() {
    return spec.strategy();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(workload).append('\n');
    sb.append("  strategy:   ").append(spec.strategy()).append('\n');
    sb.append("  size:       ").append(sizing).append('\n');
    sb.append("  queue:      ")
        .append(spec.queueCapacity())
        .append(" tasks may wait beyond those running; then submit throws"
            + " RejectedExecutionException\n");
    sb.append("  timeout:    ")
        .append(spec.taskTimeout() == null ? "none" : spec.taskTimeout().toString())
        .append('\n');
    sb.append("  why:\n");
    for (String reason : reasons) {
      sb.append("    - ").append(reason).append('\n');
    }
    sb.append("  trade-offs:\n");
    for (String tradeOff : tradeOffs) {
      sb.append("    - ").append(tradeOff).append('\n');
    }
    return sb.toString();
  }
}
