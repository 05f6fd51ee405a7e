package io.taskrunner.benchmarks;

import com.google.common.util.concurrent.SettableFuture;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * No-op throughput of two executors in one JVM, in alternating 200 ms bursts of 1 000-task
 * batches: the per-pair ratio cancels the machine's drift, which swings separate JMH runs by ±30%
 * here. Prints the median of the per-pair ratios and their quartiles.
 *
 * <ul>
 *   <li>{@code watchdog}: a CPU runner watched by the stall watchdog against one that is not
 *       ({@code -Dio.taskrunner.stallThresholdMillis=0}) — what the watchdog costs;
 *   <li>{@code forkjoin}: the CPU runner against a raw {@code ForkJoinPool} of the same size in
 *       FIFO mode — the foundation's per-task overhead;
 *   <li>{@code guava} and {@code futuretask}: a raw pool completing a Guava {@code SettableFuture}
 *       (or running a JDK {@code FutureTask}) against the same pool's own tasks — what a future
 *       type alone costs, whatever the runner around it does.
 * </ul>
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.taskrunner.benchmarks.InterleavedThroughput watchdog|forkjoin|guava|futuretask [pairs]}
 * (default 40 pairs).
 */
public final class InterleavedThroughput {
  private InterleavedThroughput() {}

  /** Submits a no-op task. */
  @FunctionalInterface
  private interface Submitter {
    Future<Integer> submit();
  }

  /** Runs the comparison named by the first argument. */
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "watchdog";
    int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int cores = Runners.explain(Workload.cpuBound()).spec().maxConcurrency();
    TaskRunner first = Runners.forWorkload(Workload.cpuBound().named("first"));
    switch (mode) {
      case "watchdog" -> {
        System.setProperty("io.taskrunner.stallThresholdMillis", "0");
        try (first;
            TaskRunner unwatched = Runners.forWorkload(Workload.cpuBound().named("unwatched"))) {
          System.clearProperty("io.taskrunner.stallThresholdMillis");
          compare("watched", () -> first.submit(() -> 1), "unwatched", () -> unwatched.submit(() -> 1), pairs);
        }
      }
      case "forkjoin" -> {
        ForkJoinPool pool = new ForkJoinPool(cores, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
        try (first) {
          compare("taskrunner-cpu", () -> first.submit(() -> 1), "forkjoinpool", () -> pool.submit(() -> 1), pairs);
        } finally {
          pool.shutdown();
        }
      }
      case "guava", "futuretask" -> {
        first.close();
        ForkJoinPool raw = fifoPool(cores);
        ForkJoinPool other = fifoPool(cores);
        try {
          Submitter withFuture =
              mode.equals("guava")
                  ? () -> {
                    SettableFuture<Integer> future = SettableFuture.create();
                    other.execute(() -> future.set(1));
                    return future;
                  }
                  : () -> {
                    FutureTask<Integer> future = new FutureTask<>(() -> 1);
                    other.execute(future);
                    return future;
                  };
          compare(mode, withFuture, "forkjoinpool", () -> raw.submit(() -> 1), pairs);
        } finally {
          raw.shutdown();
          other.shutdown();
        }
      }
      default ->
          throw new IllegalArgumentException(
              "mode must be watchdog, forkjoin, guava or futuretask: " + mode);
    }
  }

  private static ForkJoinPool fifoPool(int parallelism) {
    return new ForkJoinPool(parallelism, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
  }

  private static void compare(String aName, Submitter a, String bName, Submitter b, int pairs)
      throws InterruptedException, ExecutionException {
    for (int i = 0; i < 5; i++) { // warm-up
      double unusedA = burst(a);
      double unusedB = burst(b);
    }
    double[] ratios = new double[pairs];
    double[] aRates = new double[pairs];
    double[] bRates = new double[pairs];
    for (int p = 0; p < pairs; p++) {
      // Alternate which goes first, so that neither always follows the other.
      if (p % 2 == 0) {
        aRates[p] = burst(a);
        bRates[p] = burst(b);
      } else {
        bRates[p] = burst(b);
        aRates[p] = burst(a);
      }
      ratios[p] = aRates[p] / bRates[p];
    }
    Arrays.sort(ratios);
    Arrays.sort(aRates);
    Arrays.sort(bRates);
    System.out.printf(
        Locale.US,
        "%s %.2f M tasks/s, %s %.2f M tasks/s (medians of %d bursts); median per-pair ratio"
            + " %s/%s %.3f (quartiles %.3f-%.3f)%n",
        aName,
        aRates[pairs / 2] / 1e6,
        bName,
        bRates[pairs / 2] / 1e6,
        pairs,
        aName,
        bName,
        ratios[pairs / 2],
        ratios[pairs / 4],
        ratios[3 * pairs / 4]);
  }

  /** Submits batches of 1 000 no-op tasks for about 200 ms; returns tasks per second. */
  private static double burst(Submitter submitter) throws InterruptedException, ExecutionException {
    long start = System.nanoTime();
    long tasks = 0;
    List<Future<Integer>> batch = new ArrayList<>(1_000);
    while (System.nanoTime() - start < 200_000_000L) {
      for (int i = 0; i < 1_000; i++) {
        batch.add(submitter.submit());
      }
      for (Future<Integer> f : batch) {
        f.get();
      }
      batch.clear();
      tasks += 1_000;
    }
    return tasks / ((System.nanoTime() - start) / 1e9);
  }
}
