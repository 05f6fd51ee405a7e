package io.taskrunner.benchmarks;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Runners;
import io.taskrunner.Strategy;
import io.taskrunner.Task;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Chooser regret: for each workload of a matrix (pure CPU, pure blocking I/O, 50/50 mixed, tiny
 * tasks, long tasks, bursty I/O), the wall time of every strategy and of the chooser — declared
 * traits and {@code Workload.unknown()} — and the chooser's time divided by the best strategy's.
 * Medians of several runs (one run for a contender that takes over a second: it is far from the
 * best), all measured in one process so the ratios share the machine's noise.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.taskrunner.benchmarks.RegretBenchmark [runs]} (default 5 runs).
 */
public final class RegretBenchmark {
  private RegretBenchmark() {}

  static volatile long sink;

  /** Tasks in flight at most per contender run (more than any other workload submits at once). */
  private static final int WINDOW = 10_000;

  /** One kind of task in a workload, with what its author would declare for it. */
  private record Part(String key, Workload declared, int count, Task<Long> task) {}

  private record Matrix(String name, List<Part> parts, int bursts) {}

  /** Runs the matrix and prints a Markdown table. */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<Matrix> matrix =
        List.of(
            new Matrix("pure CPU (64 x 10 ms)", List.of(cpu("burn", 64, 10)), 1),
            new Matrix("pure blocking I/O (400 x 50 ms)", List.of(io("wait", 400, 50)), 1),
            new Matrix(
                "50/50 mixed (100 x 5 ms CPU + 100 x 10 ms I/O)",
                List.of(cpu("mixed-burn", 100, 5), io("mixed-wait", 100, 10)),
                1),
            new Matrix("tiny tasks (1 000 000 x ~0)", List.of(tiny(1_000_000)), 1),
            new Matrix("long tasks (4 x 200 ms CPU)", List.of(cpu("long", 4, 200)), 1),
            new Matrix("bursty I/O (10 bursts of 100 x 20 ms)", List.of(io("burst", 100, 20)), 10));

    List<Contender> contenders =
        List.of(
            new Contender("THREAD_POOL", p -> Workload.cpuBound()),
            new Contender("VIRTUAL_THREADS", p -> Workload.ioBound()),
            new Contender("chooser, declared", Part::declared),
            new Contender("chooser, unknown()", p -> Workload.unknown()));

    System.out.printf(
        Locale.US,
        "| workload | %s | regret declared | regret unknown() |%n",
        String.join(" | ", contenders.stream().map(Contender::name).toList()));
    System.out.println("|---|---|---|---|---|---|---|");
    for (Matrix m : matrix) {
      double[] medians = new double[contenders.size()];
      for (int c = 0; c < contenders.size(); c++) {
        double first = runOnce(m, contenders.get(c).pick()); // warm-up: JIT, class loading
        if (first <= 1_000) {
          first = runOnce(m, contenders.get(c).pick());
        }
        // A contender that takes over a second is far from the best: one run says enough.
        int n = first > 1_000 ? 1 : runs;
        double[] times = new double[n];
        times[0] = first;
        for (int r = 1; r < n; r++) {
          times[r] = runOnce(m, contenders.get(c).pick());
        }
        Arrays.sort(times);
        medians[c] = times[n / 2];
      }
      // The best of the plain strategies, and of the per-kind split a careful author declares
      // (which beats both on a mixed workload).
      double best = Math.min(Math.min(medians[0], medians[1]), medians[2]);
      StringBuilder row = new StringBuilder("| ").append(m.name()).append(" |");
      for (double t : medians) {
        row.append(String.format(Locale.US, " %.1f ms |", t));
      }
      row.append(
          String.format(Locale.US, " %.2f | %.2f |", medians[2] / best, medians[3] / best));
      System.out.println(row);
    }
  }

  private record Contender(String name, Function<Part, Workload> pick) {}

  /**
   * Runs a workload once: a fresh runner per distinct workload the contender picks (so a
   * contender that declares per part gets one runner per kind), created outside the timing. The
   * adaptive runner is warmed with its probe samples first, as a long-lived service's would be.
   */
  private static double runOnce(Matrix m, Function<Part, Workload> contender) throws Exception {
    Map<Workload, TaskRunner> runners = new LinkedHashMap<>();
    try {
      for (Part part : m.parts()) {
        // A burst of a million tiny tasks must not hit the default admission limit.
        runners.computeIfAbsent(
            contender.apply(part), w -> Runners.forWorkload(w.queueCapacity(1 << 21)));
      }
      for (Part part : m.parts()) {
        TaskRunner runner = requireNonNull(runners.get(contender.apply(part)));
        List<ListenableFuture<Long>> warm = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          warm.add(runner.submit(part.task()));
        }
        Futures.allAsList(warm).get(1, TimeUnit.MINUTES);
      }
      awaitRouted(runners.values(), m);
      long start = System.nanoTime();
      for (int burst = 0; burst < m.bursts(); burst++) {
        List<ListenableFuture<Long>> futures = new ArrayList<>();
        for (Part part : m.parts()) {
          TaskRunner runner = requireNonNull(runners.get(contender.apply(part)));
          for (int i = 0; i < part.count(); i++) {
            futures.add(runner.submit(part.task()));
            // Keep at most WINDOW futures alive: a million held at once would make the tiny-task
            // workload measure the garbage collector instead of the runners.
            if (futures.size() == WINDOW) {
              Futures.allAsList(futures).get(5, TimeUnit.MINUTES);
              futures.clear();
            }
          }
        }
        Futures.allAsList(futures).get(5, TimeUnit.MINUTES);
      }
      return (System.nanoTime() - start) / 1e6;
    } finally {
      runners.values().forEach(TaskRunner::close);
    }
  }

  /** Rounds of {@link #spin} per millisecond on this machine, measured once on one thread. */
  private static final long ROUNDS_PER_MS = calibrate();

  private static long calibrate() {
    for (int i = 0; i < 20; i++) {
      sink = spin(1_000); // let the JIT compile it first
    }
    long rounds = 0;
    long start = System.nanoTime();
    while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(200)) {
      sink = spin(100);
      rounds += 100;
    }
    return Math.max(1, rounds / 200);
  }

  /** A fixed amount of computation, so that contention shows as time, not as less work. */
  private static long spin(long rounds) {
    long x = 0;
    for (long r = 0; r < rounds; r++) {
      for (int i = 0; i < 1_000; i++) {
        x += i ^ x;
      }
    }
    return x;
  }

  /** Waits until an adaptive runner has routed every key (its probes record just after they end). */
  private static void awaitRouted(Iterable<TaskRunner> runners, Matrix m) throws InterruptedException {
    for (TaskRunner runner : runners) {
      if (runner.strategy() != Strategy.ADAPTIVE) {
        continue;
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline
          && !m.parts().stream()
              .allMatch(
                  p ->
                      runner.stats().keys().stream()
                          .anyMatch(k -> k.key().equals(p.key()) && k.routedTo() != null))) {
        Thread.sleep(1);
      }
    }
  }

  private static Part cpu(String key, int count, long millis) {
    long rounds = millis * ROUNDS_PER_MS;
    return new Part(
        key,
        Workload.cpuBound(),
        count,
        Task.keyed(
            key,
            () -> {
              long x = spin(rounds);
              sink = x;
              return x;
            }));
  }

  private static Part io(String key, int count, long millis) {
    return new Part(
        key,
        Workload.ioBound(),
        count,
        Task.keyed(
            key,
            () -> {
              Thread.sleep(millis); // stands for a blocking call
              return millis;
            }));
  }

  private static Part tiny(int count) {
    return new Part("tiny", Workload.cpuBound(), count, Task.keyed("tiny", () -> sink + 1));
  }
}
