package io.taskrunner.examples;

import static java.util.Objects.requireNonNull;

import com.google.common.base.CharMatcher;
import com.google.common.base.Splitter;
import io.taskrunner.Explanation;
import io.taskrunner.Runners;
import io.taskrunner.StrategyUnavailableException;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import io.taskrunner.examples.Scenarios.Scenario;
import io.taskrunner.strategies.EventLoopRunner;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The main demo: the talk's scenarios, each run on every strategy and on the chooser's pick, with
 * wall time, CPU time, peak threads and processes, measured on this machine.
 *
 * <pre>
 * Demo [--scenario=all|http|cpu|fanout|report|watch] [--scale=1.0] [--format=text|markdown|csv]
 * </pre>
 *
 * <p>{@code --scale} multiplies the amount of work ({@code 0.1} for a quick look); {@code --format}
 * chooses how the table is written. A progress line goes to standard error. Exits with 1 if any
 * strategy failed or computed a different answer.
 */
public final class Demo {
  private Demo() {}

  /** Output formats of the table. */
  enum Format {
    TEXT,
    MARKDOWN,
    CSV
  }

  /** The contenders: every strategy, as the workload that selects it. */
  static final List<Workload> CONTENDERS =
      List.of(
          Workload.cpuBound(),
          Workload.cpuBound().isolated(),
          Workload.ioBound(),
          Workload.ioBound().nonBlocking(),
          Workload.unknown());

  /** Runs the demo. */
  public static void main(String[] args) throws Exception {
    double scale = 1.0;
    String only = "all";
    Format format = Format.TEXT;
    // Maven passes -Ddemo.args="..." as one argument: split it.
    List<String> words = new ArrayList<>();
    for (String arg : args) {
      words.addAll(Splitter.on(CharMatcher.whitespace()).omitEmptyStrings().splitToList(arg));
    }
    for (String arg : words) {
      if (arg.startsWith("--scale=")) {
        scale = Double.parseDouble(arg.substring("--scale=".length()));
      } else if (arg.startsWith("--scenario=")) {
        only = arg.substring("--scenario=".length());
      } else if (arg.startsWith("--format=")) {
        format = Format.valueOf(arg.substring("--format=".length()).toUpperCase(Locale.ROOT));
      } else {
        System.err.println(
            "usage: Demo [--scenario=all|http|cpu|fanout|report|watch] [--scale=<factor>]"
                + " [--format=text|markdown|csv]   (unknown argument: "
                + arg
                + ")");
        System.exit(2);
      }
    }
    if (!(scale > 0)) {
      System.err.println("scale must be positive: " + scale);
      System.exit(2);
    }
    var rows = run(scale, only, format, System.out, System.err);
    if (rows.stream().anyMatch(r -> r.note().startsWith("WRONG") || r.note().startsWith("failed"))) {
      System.exit(1);
    }
  }

  /** One measured run of one scenario on one runner. */
  record Row(
      String scenario,
      Workload workload,
      String strategy,
      @Nullable Duration wall,
      @Nullable Duration cpu,
      int peakThreads,
      int peakProcesses,
      int peakInFlight,
      long checksum,
      boolean chosen,
      String note) {

    /** Whether this run produced {@code expected}; a run that failed or did not run did not. */
    boolean correct(long expected) {
      return wall != null && checksum == expected;
    }
  }

  /**
   * Runs the scenarios at {@code scale}, printing to {@code out}; progress goes to {@code
   * progress} if not null. Returns the rows, for tests.
   */
  static List<Row> run(
      double scale, String only, Format format, PrintStream out, @Nullable PrintStream progress)
      throws Exception {
    List<Row> rows = new ArrayList<>();
    try (SlowServer server = new SlowServer()) {
      List<Scenario> scenarios =
          Scenarios.all(server, scale).stream()
              .filter(s -> only.equals("all") || s.id().equals(only))
              .toList();
      if (scenarios.isEmpty()) {
        throw new IllegalArgumentException("no scenario named " + only);
      }
      if (format == Format.TEXT) {
        out.println("taskrunner demo: the talk's three models (threads, processes, async) on the JVM");
        out.println(Runners.explain(Workload.cpuBound()).sizing());
        out.println();
      }
      int total = scenarios.size() * CONTENDERS.size();
      int done = 0;
      for (Scenario scenario : scenarios) {
        Explanation pick = Runners.explain(scenario.declared());
        if (format == Format.TEXT) {
          out.printf(Locale.US, "== %s: %s ==%n", scenario.id(), scenario.title());
          out.printf(
              Locale.US,
              "declared %s -> %s: %s%n",
              scenario.declared(),
              pick.strategy(),
              pick.reasons().get(0));
        }
        // Warm up on the chosen runner (cheap: it is the fast one), so that the first measured
        // rows do not pay for class loading and JIT compilation on behalf of the later ones.
        for (int i = 0; i < 5; i++) {
          Row unused = measure(scenario, scenario.declared(), true);
        }
        // Round 1 in order, once per contender: it tells the slow rows from the fast ones.
        List<List<Row>> runs = new ArrayList<>();
        for (Workload contender : CONTENDERS) {
          done++;
          if (progress != null) {
            progress.printf(
                Locale.US, "\r[%d/%d] %s on %s ...", done, total, scenario.id(), contender);
            progress.flush();
          }
          runs.add(new ArrayList<>(List.of(measure(scenario, contender, contender.equals(scenario.declared())))));
          if (progress != null) {
            progress.print("\r" + " ".repeat(72) + "\r");
            progress.flush();
          }
        }
        // Rows under a second run three more rounds back to back (reversed, in order, reversed),
        // and the first round is dropped for them: it ran right after slow rows, whose long
        // stretch of the same code warms the JIT for whichever row comes next.
        for (int round = 0; round < 3; round++) {
          for (int k = 0; k < CONTENDERS.size(); k++) {
            int i = round % 2 == 0 ? CONTENDERS.size() - 1 - k : k;
            Row first = runs.get(i).get(0);
            if (first.wall() != null && first.wall().compareTo(Duration.ofSeconds(1)) < 0) {
              Workload contender = CONTENDERS.get(i);
              runs.get(i).add(measure(scenario, contender, contender.equals(scenario.declared())));
            }
          }
        }
        List<Row> scenarioRows = new ArrayList<>();
        for (List<Row> r : runs) {
          scenarioRows.add(median(r.size() > 1 ? r.subList(1, r.size()) : r));
        }
        scenarioRows = markWrongResults(scenarioRows);
        if (format == Format.TEXT) {
          printText(scenarioRows, out);
          out.println();
        }
        rows.addAll(scenarioRows);
      }
    }
    switch (format) {
      case MARKDOWN -> printMarkdown(rows, out);
      case CSV -> printCsv(rows, out);
      case TEXT -> out.println("(*) the chooser's pick for the declared workload");
      default -> throw new IllegalStateException("unknown format " + format);
    }
    return rows;
  }

  /** Every strategy must compute the same answer: the chosen run's, or else the first one's. */
  private static List<Row> markWrongResults(List<Row> rows) {
    Row reference =
        rows.stream()
            .filter(r -> r.wall() != null)
            .filter(Row::chosen)
            .findFirst()
            .orElse(rows.stream().filter(r -> r.wall() != null).findFirst().orElse(null));
    if (reference == null) {
      return rows;
    }
    List<Row> marked = new ArrayList<>();
    for (Row r : rows) {
      marked.add(
          r.wall() == null || r.correct(reference.checksum())
              ? r
              : new Row(
                  r.scenario(), r.workload(), r.strategy(), r.wall(), r.cpu(), r.peakThreads(),
                  r.peakProcesses(), r.peakInFlight(), r.checksum(), r.chosen(),
                  "WRONG RESULT " + r.note()));
    }
    return marked;
  }

  /** The run with the median wall time; a failed run wins, so that failures show. */
  private static Row median(List<Row> runs) {
    for (Row r : runs) {
      if (r.wall() == null) {
        return r;
      }
    }
    List<Row> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparing(r -> requireNonNull(r.wall())));
    return sorted.get(sorted.size() / 2);
  }

  private static Row measure(Scenario scenario, Workload workload, boolean chosen) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    TaskRunner runner;
    try {
      runner = Runners.forWorkload(workload);
    } catch (StrategyUnavailableException e) {
      return new Row(
          scenario.id(), workload, e.strategy().name(), null, null, 0, 0, 0, 0, chosen,
          "not in this build");
    }
    try (runner) {
      Scenarios.resetInFlight();
      int baseThreads = threads.getThreadCount();
      threads.resetPeakThreadCount();
      AtomicInteger peakProcesses = new AtomicInteger();
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler =
          Thread.ofPlatform()
              .daemon()
              .name("demo-process-sampler")
              .start(
                  () -> {
                    while (sampling.get()) {
                      int n = (int) ProcessHandle.current().children().count();
                      peakProcesses.accumulateAndGet(n, Math::max);
                      try {
                        Thread.sleep(20); // sampling period
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      long cpuBefore = processCpuNanos();
      long start = System.nanoTime();
      long checksum;
      String note = "";
      try {
        checksum = scenario.run(runner);
      } catch (Exception e) {
        sampling.set(false);
        return new Row(
            scenario.id(), workload, runner.strategy().name(), null, null, 0, 0, 0, 0, chosen,
            "failed: " + e);
      }
      long wall = System.nanoTime() - start;
      long cpu = processCpuNanos() - cpuBefore + childrenCpuNanos();
      sampling.set(false);
      sampler.join();
      if (runner.stats().stalled() > 0) {
        note = "stall reported";
      }
      if (runner instanceof EventLoopRunner loop && loop.blockedLoopCount() > 0) {
        note = "blocked the loop: reported " + loop.blockedLoopCount() + "x";
      }
      return new Row(
          scenario.id(),
          workload,
          runner.strategy().name(),
          Duration.ofNanos(wall),
          Duration.ofNanos(cpu),
          Math.max(0, threads.getPeakThreadCount() - baseThreads),
          peakProcesses.get(),
          Scenarios.peakInFlight(),
          checksum,
          chosen,
          note);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /** CPU time of worker processes still alive (the process pool's), read before they stop. */
  private static long childrenCpuNanos() {
    return ProcessHandle.current()
        .descendants()
        .map(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
        .mapToLong(Long::longValue)
        .sum();
  }

  private static String ms(@Nullable Duration d) {
    return d == null ? "-" : String.format(Locale.US, "%.0f ms", d.toNanos() / 1e6);
  }

  private static void printText(List<Row> rows, PrintStream out) {
    out.printf(
        Locale.US,
        "  %-34s %-16s %10s %10s %8s %6s %9s  %s%n",
        "runner",
        "strategy",
        "wall",
        "cpu",
        "+threads",
        "procs",
        "in flight",
        "");
    for (Row r : rows) {
      out.printf(
          Locale.US,
          "%s %-34s %-16s %10s %10s %8s %6s %9s  %s%n",
          r.chosen() ? "*" : " ",
          r.workload(),
          r.strategy(),
          ms(r.wall()),
          ms(r.cpu()),
          r.wall() == null ? "-" : Integer.toString(r.peakThreads()),
          r.wall() == null ? "-" : Integer.toString(r.peakProcesses()),
          r.wall() == null || r.peakInFlight() == 0 ? "-" : Integer.toString(r.peakInFlight()),
          r.note());
    }
  }

  private static void printMarkdown(List<Row> rows, PrintStream out) {
    out.println(
        "| scenario | workload | strategy | wall | cpu | +threads | processes | in flight | chosen |"
            + " note |");
    out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      out.printf(
          Locale.US,
          "| %s | `%s` | %s | %s | %s | %d | %d | %d | %s | %s |%n",
          r.scenario(),
          r.workload(),
          r.strategy(),
          ms(r.wall()),
          ms(r.cpu()),
          r.peakThreads(),
          r.peakProcesses(),
          r.peakInFlight(),
          r.chosen() ? "yes" : "",
          r.note());
    }
  }

  private static void printCsv(List<Row> rows, PrintStream out) {
    out.println(
        "scenario,workload,strategy,wall_ms,cpu_ms,peak_threads,peak_processes,peak_in_flight,"
            + "chosen,checksum,note");
    for (Row r : rows) {
      out.printf(
          Locale.US,
          "%s,\"%s\",%s,%s,%s,%d,%d,%d,%b,%d,\"%s\"%n",
          r.scenario(),
          r.workload().toString().replace("\"", "\"\""),
          r.strategy(),
          r.wall() == null ? "" : String.format(Locale.US, "%.3f", r.wall().toNanos() / 1e6),
          r.cpu() == null ? "" : String.format(Locale.US, "%.3f", r.cpu().toNanos() / 1e6),
          r.peakThreads(),
          r.peakProcesses(),
          r.peakInFlight(),
          r.chosen(),
          r.checksum(),
          r.note().replace("\"", "\"\""));
    }
  }
}
