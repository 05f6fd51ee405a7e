package io.taskrunner.examples;

import io.taskrunner.Runners;
import io.taskrunner.Workload;

/** Prints what the chooser picks for each kind of work, with the sizes and the reasons. */
public final class ExplainExample {
  private ExplainExample() {}

  /** Prints the explanations. */
  public static void main(String[] args) {
    for (Workload workload :
        java.util.List.of(
            Workload.cpuBound(),
            Workload.cpuBound().isolated(),
            Workload.ioBound(),
            Workload.ioBound().nonBlocking(),
            Workload.unknown(),
            Workload.ioBound().maxConcurrency(200).taskTimeout(java.time.Duration.ofSeconds(5)))) {
      System.out.println(Runners.explain(workload));
    }
  }
}
