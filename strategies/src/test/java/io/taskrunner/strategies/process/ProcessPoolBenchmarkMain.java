package io.taskrunner.strategies.process;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.TaskRunner;
import io.taskrunner.strategies.ProcessPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * A plain benchmark program (not a test; no assertion) for the figures of issue 3: start-up to
 * first result, no-op round trip, pipelined no-op throughput, {@code map} throughput and CPU-bound
 * speedup. Meant to move to {@code io.taskrunner.benchmarks.process} once that module builds.
 *
 * <pre>
 * java -cp strategies/target/classes:strategies/target/test-classes:core/target/classes:$GUAVA \
 *     io.taskrunner.strategies.process.ProcessPoolBenchmarkMain
 * </pre>
 */
public final class ProcessPoolBenchmarkMain {
  private ProcessPoolBenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    int depth = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    for (int round = 0; round < 2; round++) {
      long t0 = System.nanoTime();
      try (TaskRunner pool =
          ProcessPool.builder().workers(2).queueCapacity(1 << 20).maxInFlightPerWorker(depth).build()) {
        int first = pool.submit(() -> 1).get();
        report("start-up to first result (2 workers)", (System.nanoTime() - t0) / 1e6, "ms", first);

        long[] samples = new long[5_000];
        for (int i = 0; i < 2_000; i++) {
          int unused = pool.submit(() -> 0).get();
        }
        for (int i = 0; i < samples.length; i++) {
          long s = System.nanoTime();
          int unused = pool.submit(() -> 0).get();
          samples[i] = System.nanoTime() - s;
        }
        Arrays.sort(samples);
        report("no-op submit().get() p50", samples[samples.length / 2] / 1e3, "µs", 0);
        report("no-op submit().get() p99", samples[samples.length * 99 / 100] / 1e3, "µs", 0);

        for (int n : new int[] {20_000, 100_000}) {
          List<Long> pids = ((ProcessPoolRunner) pool).workerPids();
          long parentCpu0 = cpuNanos(ProcessHandle.current().pid());
          long workerCpu0 = pids.stream().mapToLong(ProcessPoolBenchmarkMain::cpuNanos).sum();
          long s = System.nanoTime();
          List<ListenableFuture<Integer>> futures = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            futures.add(pool.submit(() -> 0));
          }
          int unused = Futures.allAsList(futures).get().size();
          double secs = (System.nanoTime() - s) / 1e9;
          report("pipelined no-op tasks/s (" + n + ", depth " + depth + ")", n / secs, "tasks/s", 0);
          long parentCpu = cpuNanos(ProcessHandle.current().pid()) - parentCpu0;
          long workerCpu =
              pids.stream().mapToLong(ProcessPoolBenchmarkMain::cpuNanos).sum() - workerCpu0;
          report("  CPU per task in the parent", parentCpu / 1e3 / n, "µs", 0);
          report("  CPU per task in the workers", workerCpu / 1e3 / n, "µs", 0);
        }

        List<Integer> inputs = IntStream.range(0, 100_000).boxed().toList();
        for (int rep = 0; rep < 3; rep++) {
          long s = System.nanoTime();
          int size = pool.map(x -> x + 1, inputs).get().size();
          double secs = (System.nanoTime() - s) / 1e9;
          report("map over 100 000 ints", size / secs, "items/s", 0);
        }
      }
    }
    double one = cpuJob(1);
    double two = cpuJob(2);
    report("CPU-bound job, 1 worker", one, "s", 0);
    report("CPU-bound job, 2 workers", two, "s", 0);
    report("CPU-bound speedup", one / two, "x", 0);
  }

  private static double cpuJob(int workers) throws Exception {
    try (TaskRunner pool = ProcessPool.builder().workers(workers).build()) {
      List<ListenableFuture<Long>> warm = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        warm.add(pool.submit(() -> countPrimes(200_000)));
      }
      long unused = Futures.allAsList(warm).get().size();
      long s = System.nanoTime();
      List<ListenableFuture<Long>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> countPrimes(3_000_000)));
      }
      long total = Futures.allAsList(futures).get().stream().mapToLong(Long::longValue).sum();
      if (total == 42) {
        System.out.println();
      }
      return (System.nanoTime() - s) / 1e9;
    }
  }

  private static long cpuNanos(long pid) {
    return ProcessHandle.of(pid)
        .flatMap(h -> h.info().totalCpuDuration())
        .map(java.time.Duration::toNanos)
        .orElse(0L);
  }

  static long countPrimes(int limit) {
    long count = 0;
    for (int n = 2; n < limit; n++) {
      boolean prime = true;
      for (int d = 2; (long) d * d <= n; d++) {
        if (n % d == 0) {
          prime = false;
          break;
        }
      }
      if (prime) {
        count++;
      }
    }
    return count;
  }

  private static void report(String what, double value, String unit, int check) {
    System.out.println(String.format(Locale.US, "%-48s %12.1f %s%s", what, value, unit, check == 0 ? "" : " (" + check + ")"));
  }
}
