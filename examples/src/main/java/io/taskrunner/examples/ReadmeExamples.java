package io.taskrunner.examples;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * The README's snippets as compiled, tested code (DESIGN §3), so that they never rot. Each method
 * is one snippet; {@code ReadmeExamplesTest} runs them.
 */
public final class ReadmeExamples {
  private ReadmeExamples() {}

  /** Blocking I/O fan-out: many independent HTTP/JDBC calls from blocking code. */
  public static List<String> blockingFanOut(List<URI> urls)
      throws InterruptedException, ExecutionException {
    try (TaskRunner io = Runners.forWorkload(Workload.ioBound())) {
      List<ListenableFuture<String>> pages =
          urls.stream().map(u -> io.submit(() -> fetch(u))).toList();
      List<String> bodies = Futures.allAsList(pages).get();
      return bodies;
    }
  }

  /** CPU-bound, in-process: parallel across cores. */
  public static long cpuParallel(List<long[]> ranges)
      throws InterruptedException, ExecutionException {
    try (TaskRunner cpu = Runners.forWorkload(Workload.cpuBound())) {
      long total =
          cpu.map(n -> countPrimes(n), ranges).get().stream().mapToLong(x -> x).sum();
      return total;
    }
  }

  /** Async work that waits without holding a thread. */
  public static String asyncSleep() throws InterruptedException, ExecutionException {
    try (TaskRunner io = Runners.forWorkload(Workload.ioBound())) {
      ListenableFuture<String> r =
          io.submitAsync(ctx -> ctx.sleep(Duration.ofMillis(50)).thenApply(v -> "done"));
      return r.get();
    }
  }

  /** What the chooser picks and why. */
  public static String explainIsolated() {
    return Runners.explain(Workload.cpuBound().isolated()).toString();
  }

  static String fetch(URI uri) throws IOException {
    return SlowServer.blockingGet(uri);
  }

  static long countPrimes(long[] range) {
    return Scenarios.countPrimes(range[0], range[1]);
  }

  /** Prints what each snippet returns. */
  public static void main(String[] args) throws Exception {
    try (SlowServer server = new SlowServer()) {
      System.out.println(blockingFanOut(List.of(server.uri(10, 1), server.uri(10, 2))));
    }
    System.out.println(cpuParallel(List.of(new long[] {0, 100_000}, new long[] {100_000, 200_000})));
    System.out.println(asyncSleep());
    System.out.println(explainIsolated());
  }
}
