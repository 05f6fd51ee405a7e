package io.taskrunner.benchmarks;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;

/**
 * What the stall watchdog costs on the no-op throughput benchmark: two CPU runners in one JVM, one
 * watched and one created with {@code -Dio.taskrunner.stallThresholdMillis=0} (not watched), run in
 * alternating 200 ms bursts of 1 000-task batches. Alternating pairs cancel the machine's drift,
 * which swamps a 2% effect in separate JMH runs. Prints the median of the per-pair ratios.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.taskrunner.benchmarks.StallWatchdogOverhead [pairs]} (default 40).
 */
public final class StallWatchdogOverhead {
  private StallWatchdogOverhead() {}

  /** Runs the comparison. */
  public static void main(String[] args) throws Exception {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    TaskRunner watched = Runners.forWorkload(Workload.cpuBound().named("watched"));
    System.setProperty("io.taskrunner.stallThresholdMillis", "0");
    TaskRunner unwatched = Runners.forWorkload(Workload.cpuBound().named("unwatched"));
    System.clearProperty("io.taskrunner.stallThresholdMillis");
    try (watched;
        unwatched) {
      for (int i = 0; i < 5; i++) { // warm-up
        double unusedA = burst(watched);
        double unusedB = burst(unwatched);
      }
      double[] ratios = new double[pairs];
      double[] watchedRates = new double[pairs];
      double[] unwatchedRates = new double[pairs];
      for (int p = 0; p < pairs; p++) {
        // Alternate which goes first, so that neither always follows the other.
        double a;
        double b;
        if (p % 2 == 0) {
          a = burst(watched);
          b = burst(unwatched);
        } else {
          b = burst(unwatched);
          a = burst(watched);
        }
        watchedRates[p] = a;
        unwatchedRates[p] = b;
        ratios[p] = a / b;
      }
      Arrays.sort(ratios);
      Arrays.sort(watchedRates);
      Arrays.sort(unwatchedRates);
      System.out.printf(
          Locale.US,
          "watched %.2f M tasks/s, unwatched %.2f M tasks/s (medians of %d bursts); median"
              + " per-pair ratio watched/unwatched %.3f (quartiles %.3f-%.3f)%n",
          watchedRates[pairs / 2] / 1e6,
          unwatchedRates[pairs / 2] / 1e6,
          pairs,
          ratios[pairs / 2],
          ratios[pairs / 4],
          ratios[3 * pairs / 4]);
    }
  }

  /** Submits batches of 1 000 no-op tasks for about 200 ms; returns tasks per second. */
  private static double burst(TaskRunner runner) throws InterruptedException, ExecutionException {
    long start = System.nanoTime();
    long tasks = 0;
    List<ListenableFuture<Integer>> batch = new ArrayList<>(1_000);
    while (System.nanoTime() - start < 200_000_000L) {
      for (int i = 0; i < 1_000; i++) {
        batch.add(runner.submit(() -> 1));
      }
      for (ListenableFuture<Integer> f : batch) {
        f.get();
      }
      batch.clear();
      tasks += 1_000;
    }
    return tasks / ((System.nanoTime() - start) / 1e9);
  }
}
