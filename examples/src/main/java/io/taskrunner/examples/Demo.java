package io.taskrunner.examples;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.sun.net.httpserver.HttpServer;
import io.taskrunner.Runners;
import io.taskrunner.StrategyUnavailableException;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;

/**
 * The main demo: what the chooser picks for each kind of work and why, then two of the talk's
 * scenarios run with the chosen runner and with the wrong one, with wall-clock timings from this
 * machine.
 *
 * <p>Usage: {@code Demo [--scale=<factor>]}; {@code --scale=0.1} runs a tenth of the work.
 */
public final class Demo {
  private Demo() {}

  /** Runs the demo on standard output. */
  public static void main(String[] args) throws Exception {
    double scale = 1.0;
    for (String arg : args) {
      if (arg.startsWith("--scale=")) {
        scale = Double.parseDouble(arg.substring("--scale=".length()));
      } else {
        System.err.println("usage: Demo [--scale=<factor>]   (unknown argument: " + arg + ")");
        System.exit(2);
      }
    }
    if (!(scale > 0)) {
      System.err.println("scale must be positive: " + scale);
      System.exit(2);
    }
    run(scale, System.out);
  }

  /** Runs the demo at {@code scale}, printing to {@code out}. */
  public static void run(double scale, PrintStream out) throws Exception {
    out.println("taskrunner demo: threads, processes and async, chosen for the JVM");
    out.println();
    out.println("== What the chooser picks, and why ==");
    for (Workload workload :
        List.of(
            Workload.cpuBound(),
            Workload.cpuBound().isolated(),
            Workload.ioBound(),
            Workload.ioBound().nonBlocking(),
            Workload.unknown())) {
      out.println(Runners.explain(workload));
    }
    blockingHttpFanOut(Math.max(4, (int) (200 * scale)), out);
    out.println();
    cpuJob(Math.max(100_000L, (long) (3_000_000 * scale)), out);
    out.println();
    otherStrategies(out);
  }

  private static void blockingHttpFanOut(int calls, PrintStream out) throws Exception {
    int delayMs = 50;
    out.printf(
        Locale.US,
        "== Blocking I/O fan-out: %d HTTP calls from blocking code, each answered after %d ms ==%n",
        calls,
        delayMs);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/slow",
        exchange -> {
          try {
            Thread.sleep(delayMs); // the slow dependency
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
          }
        });
    server.start();
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/slow");
    try {
      out.printf(Locale.US, "%-34s %-16s %10s %12s%n", "runner", "strategy", "wall", "calls/s");
      for (Workload workload : List.of(Workload.ioBound(), Workload.cpuBound())) {
        try (TaskRunner runner = Runners.forWorkload(workload)) {
          fetchAll(runner, uri, 4); // warm-up: class loading and the first connections
          long start = System.nanoTime();
          fetchAll(runner, uri, calls);
          long nanos = System.nanoTime() - start;
          out.printf(
              Locale.US,
              "%-34s %-16s %10s %12.0f%s%n",
              workload,
              runner.strategy(),
              millis(nanos),
              calls / (nanos / 1e9),
              workload.equals(Workload.ioBound()) ? "   <- chosen for blocking I/O" : "");
        }
      }
    } finally {
      server.stop(0);
    }
    out.printf(
        Locale.US,
        "A virtual thread per call waits on all %d calls at once; a pool sized for CPU work waits"
            + " on %d at a time.%n",
        calls,
        Runners.explain(Workload.cpuBound()).spec().maxConcurrency());
  }

  private static void fetchAll(TaskRunner runner, URI uri, int calls) throws Exception {
    List<ListenableFuture<String>> pages = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      pages.add(runner.submit(() -> fetch(uri)));
    }
    List<String> bodies = Futures.allAsList(pages).get(5, TimeUnit.MINUTES);
    if (!bodies.stream().allMatch("ok"::equals)) {
      throw new IllegalStateException("unexpected response in " + bodies);
    }
  }

  /** A classic blocking HTTP call, like a JDBC query: the thread waits on the socket. */
  private static String fetch(URI uri) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    connection.setConnectTimeout(30_000);
    connection.setReadTimeout(30_000);
    try (InputStream in = connection.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      connection.disconnect();
    }
  }

  private static void cpuJob(long limit, PrintStream out)
      throws InterruptedException, ExecutionException, TimeoutException {
    int ranges = 64;
    out.printf(
        Locale.US, "== CPU-bound: count the primes below %,d in %d ranges ==%n", limit, ranges);
    List<long[]> chunks = new ArrayList<>();
    for (int i = 0; i < ranges; i++) {
      chunks.add(new long[] {limit * i / ranges, limit * (i + 1) / ranges});
    }
    long warmUp = countPrimes(0, 200_000); // let the JIT compile the loop before anything is timed
    if (warmUp != 17_984) {
      throw new IllegalStateException("pi(200 000) is 17 984, not " + warmUp);
    }
    long start = System.nanoTime();
    long expected = chunks.stream().mapToLong(c -> countPrimes(c[0], c[1])).sum();
    long sequential = System.nanoTime() - start;
    out.printf(Locale.US, "%-34s %-16s %10s %10s %8s%n", "runner", "strategy", "wall", "primes", "speedup");
    out.printf(
        Locale.US,
        "%-34s %-16s %10s %,10d %7.2fx%n",
        "one thread (baseline)",
        "-",
        millis(sequential),
        expected,
        1.0);
    for (Workload workload : List.of(Workload.cpuBound(), Workload.ioBound())) {
      try (TaskRunner runner = Runners.forWorkload(workload)) {
        long t0 = System.nanoTime();
        long total =
            runner.map(c -> countPrimes(c[0], c[1]), chunks).get(5, TimeUnit.MINUTES).stream()
                .mapToLong(x -> x)
                .sum();
        long nanos = System.nanoTime() - t0;
        if (total != expected) {
          throw new IllegalStateException(
              "runner " + runner.name() + " counted " + total + " primes, expected " + expected);
        }
        out.printf(
            Locale.US,
            "%-34s %-16s %10s %,10d %7.2fx%s%n",
            workload,
            runner.strategy(),
            millis(nanos),
            total,
            (double) sequential / nanos,
            workload.equals(Workload.cpuBound()) ? "   <- chosen for CPU work" : "");
      }
    }
    out.println(
        "No GIL on the JVM: platform threads already run Java code on every core; virtual threads"
            + " run on the same cores, so they gain nothing for computation.");
  }

  /** Counts the primes in {@code [from, to)} by trial division: deliberately CPU-heavy. */
  static long countPrimes(long from, long to) {
    return LongStream.range(Math.max(2, from), to).filter(Demo::isPrime).count();
  }

  private static boolean isPrime(long n) {
    if (n < 4) {
      return n >= 2;
    }
    if (n % 2 == 0) {
      return false;
    }
    for (long d = 3; d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  private static void otherStrategies(PrintStream out) {
    out.println("== Worker processes and the event loop ==");
    for (Workload workload : List.of(Workload.cpuBound().isolated(), Workload.ioBound().nonBlocking())) {
      try (TaskRunner runner = Runners.forWorkload(workload)) {
        out.printf(
            Locale.US, "%-34s %-16s available (%s)%n", workload, runner.strategy(), runner.name());
      } catch (StrategyUnavailableException e) {
        out.printf(Locale.US, "%-34s %-16s not in this build: %s%n", workload, e.strategy(), e.getMessage());
      }
    }
  }

  private static String millis(long nanos) {
    return String.format(Locale.US, "%.1f ms", nanos / 1e6);
  }
}
