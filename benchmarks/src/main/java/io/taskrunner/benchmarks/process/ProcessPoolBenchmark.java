package io.taskrunner.benchmarks.process;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.TaskRunner;
import io.taskrunner.strategies.ProcessPool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The process pool's figures from issue 3, measured in one run next to Python's {@code
 * ProcessPoolExecutor} on the same workloads (when {@code python3} and {@code
 * benchmarks/python/process_pool_peer.py} are found): start-up to first result, no-op {@code
 * submit().get()} round trip, pipelined no-op throughput, {@code map} over 100 000 ints, CPU-bound
 * speedup with 2 workers over 1, and the CPU time per pipelined task in the parent and in the
 * workers. A plain program, not JMH: every figure is one measured run after a warm-up, so compare
 * ratios within one run only.
 *
 * <p>Run from the repository root: {@code java -cp benchmarks/target/benchmarks.jar
 * io.taskrunner.benchmarks.process.ProcessPoolBenchmark [maxInFlightPerWorker]} (default 8).
 *
 * <p>{@code ProcessPoolBenchmark startup on|off [rounds]} measures pool creation to first result
 * with and without the workers' start-up cache instead: first the cold pass (this JVM's first
 * pool, with the cache {@code on} or {@code off} in the default directory, which the first run
 * after a build fills; run the program several times for a median), then {@code rounds} (default
 * 9) warm pairs, one pool without the cache and one with it, in alternating order, the cache in a
 * directory trained beforehand; medians and their ratio. Each figure comes with the CPU time the
 * two workers had used by the first result, which the machine's load inflates far less.
 */
public final class ProcessPoolBenchmark {
  private ProcessPoolBenchmark() {}

  private static final Map<String, String> JAVA = new LinkedHashMap<>();

  /** Runs the figures and prints a Markdown table. */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("startup")) {
      startup(args.length > 1 && args[1].equals("on"), args.length > 2 ? Integer.parseInt(args[2]) : 9);
      return;
    }
    int depth = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    for (int round = 0; round < 2; round++) { // the first round warms up the parent's JIT
      JAVA.clear();
      measurePool(depth);
    }
    double one = cpuJob(1);
    double two = cpuJob(2);
    record("CPU-bound speedup", one / two, "x");
    Map<String, String> python = python();
    System.out.println();
    System.out.println("| figure | taskrunner process pool | Python ProcessPoolExecutor |");
    System.out.println("|---|---:|---:|");
    for (Map.Entry<String, String> row : JAVA.entrySet()) {
      System.out.println(
          "| " + row.getKey() + " | " + row.getValue() + " | " + python.getOrDefault(row.getKey(), "") + " |");
    }
  }

  private static void measurePool(int depth) throws Exception {
    long t0 = System.nanoTime();
    try (TaskRunner pool =
        ProcessPool.builder()
            .workers(2)
            .queueCapacity(1 << 20)
            .maxInFlightPerWorker(depth)
            .build()) {
      int unused = pool.submit(() -> 1).get();
      record("start-up to first result (2 workers)", (System.nanoTime() - t0) / 1e6, "ms");

      long[] samples = new long[5_000];
      for (int i = 0; i < 2_000; i++) {
        unused = pool.submit(() -> 0).get();
      }
      for (int i = 0; i < samples.length; i++) {
        long s = System.nanoTime();
        unused = pool.submit(() -> 0).get();
        samples[i] = System.nanoTime() - s;
      }
      Arrays.sort(samples);
      record("no-op submit().get() p50", samples[samples.length / 2] / 1e3, "us");

      int n = 100_000;
      List<ProcessHandle> workers = ProcessHandle.current().children().toList();
      long parentCpu0 = cpuNanos(ProcessHandle.current());
      long workerCpu0 = workers.stream().mapToLong(ProcessPoolBenchmark::cpuNanos).sum();
      long s = System.nanoTime();
      List<ListenableFuture<Integer>> futures = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        futures.add(pool.submit(() -> 0));
      }
      unused = Futures.allAsList(futures).get().size();
      record("pipelined no-op tasks/s", n / ((System.nanoTime() - s) / 1e9), "tasks/s");
      record(
          "  CPU per pipelined task, parent",
          (cpuNanos(ProcessHandle.current()) - parentCpu0) / 1e3 / n,
          "us");
      record(
          "  CPU per pipelined task, workers",
          (workers.stream().mapToLong(ProcessPoolBenchmark::cpuNanos).sum() - workerCpu0) / 1e3 / n,
          "us");

      List<Integer> inputs = IntStream.range(0, 100_000).boxed().toList();
      double best = 0;
      for (int rep = 0; rep < 3; rep++) {
        long m = System.nanoTime();
        int size = pool.map(x -> x + 1, inputs).get().size();
        best = Math.max(best, size / ((System.nanoTime() - m) / 1e9));
      }
      record("map over 100 000 ints", best, "items/s");
    }
  }

  private static void startup(boolean cacheOn, int rounds) throws Exception {
    // The cold pass: this JVM's first pool, with the default cache directory (which the first run
    // after a build fills: its cold pass has no cache yet).
    double[] first = startupOnce(ProcessPool.builder().workers(2).startupCache(cacheOn));
    System.out.printf(
        Locale.US,
        "cold pass, cache %s: %.1f ms, worker CPU %.0f ms%n",
        cacheOn ? "on" : "off",
        first[0],
        first[1]);

    Path dir = Files.createTempDirectory("taskrunner-startup-bench");
    double[] unused = startupOnce(ProcessPool.builder().workers(2).startupCacheDirectory(dir));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (cacheFiles(dir) == 0 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(100); // waiting for the background training run, not timing it
    }
    if (cacheFiles(dir) == 0) {
      System.out.println("no start-up cache was made (class path with directories?)");
      return;
    }
    TimeUnit.SECONDS.sleep(2); // let the training run's JVMs exit: they would compete for the CPU
    double[] off = new double[rounds];
    double[] on = new double[rounds];
    double[] offCpu = new double[rounds];
    double[] onCpu = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      for (int k = 0; k < 2; k++) {
        boolean withCache = (i + k) % 2 == 1; // alternate which one goes first
        double[] figures =
            startupOnce(
                withCache
                    ? ProcessPool.builder().workers(2).startupCacheDirectory(dir)
                    : ProcessPool.builder().workers(2).startupCache(false));
        (withCache ? on : off)[i] = figures[0];
        (withCache ? onCpu : offCpu)[i] = figures[1];
      }
    }
    System.out.printf(
        Locale.US,
        "warm, median of %d: cache off %.1f ms (worker CPU %.0f ms), cache on %.1f ms (worker CPU"
            + " %.0f ms), on/off %.2f%n",
        rounds,
        median(off),
        median(offCpu),
        median(on),
        median(onCpu),
        median(on) / median(off));
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /**
   * Pool creation to first result, in milliseconds, and the CPU time the workers (this JVM's
   * children) had used by then: the part of start-up that the machine's load does not inflate.
   */
  private static double[] startupOnce(ProcessPool.Builder builder) throws Exception {
    long t0 = System.nanoTime();
    try (TaskRunner pool = builder.build()) {
      int unused = pool.submit(() -> 1).get();
      double ms = (System.nanoTime() - t0) / 1e6;
      double cpu =
          ProcessHandle.current().children().mapToLong(ProcessPoolBenchmark::cpuNanos).sum() / 1e6;
      return new double[] {ms, cpu};
    }
  }

  private static int cacheFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      return (int)
          files
              .filter(f -> f.toString().endsWith(".aot") || f.toString().endsWith(".jsa"))
              .count();
    }
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
      unused = Futures.allAsList(futures).get().stream().mapToLong(Long::longValue).sum();
      return (System.nanoTime() - s) / 1e9;
    }
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

  private static long cpuNanos(ProcessHandle process) {
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  private static void record(String figure, double value, String unit) {
    String text = String.format(Locale.US, "%.1f %s", value, unit);
    JAVA.put(figure, text);
    System.out.println(figure + ": " + text);
  }

  /** Runs the Python peer, if it can; its figures keyed like ours. */
  private static Map<String, String> python() throws InterruptedException {
    Map<String, String> figures = new LinkedHashMap<>();
    Path script = Path.of("benchmarks", "python", "process_pool_peer.py");
    if (!Files.isRegularFile(script)) {
      System.out.println("(no " + script + ": run from the repository root for the Python column)");
      return figures;
    }
    try {
      Process python = new ProcessBuilder("python3", script.toString(), "2").start();
      try (BufferedReader lines =
          new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          String[] parts = line.split("\t", -1);
          if (parts.length == 3) {
            figures.put(parts[0], parts[1] + " " + parts[2]);
            System.out.println("python " + parts[0] + ": " + parts[1] + " " + parts[2]);
          }
        }
      }
      if (!python.waitFor(10, TimeUnit.MINUTES)) {
        python.destroyForcibly();
      }
    } catch (IOException e) {
      System.out.println("(python3 not available: " + e.getMessage() + ")");
    }
    return figures;
  }
}
