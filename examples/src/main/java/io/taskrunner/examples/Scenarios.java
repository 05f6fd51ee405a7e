package io.taskrunner.examples;

import com.google.common.hash.Hashing;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

/**
 * The talk's scenarios, each runnable on any {@link TaskRunner}, each returning a checksum so that
 * every strategy can be checked to compute the same answer. All offline: the slow dependencies are
 * a {@link SlowServer} on loopback, the files a temporary directory.
 *
 * <p>Tasks are static lambdas capturing only serializable values, so they also run in worker
 * processes. The in-flight counters are static: in a worker process they count there, not here.
 */
final class Scenarios {
  private Scenarios() {}

  private static final AtomicInteger IN_FLIGHT = new AtomicInteger();
  private static final AtomicInteger PEAK_IN_FLIGHT = new AtomicInteger();

  /** One scenario of the demo. */
  interface Scenario {
    String id();

    String title();

    /** What its author would declare: the chooser's pick comes from this. */
    Workload declared();

    /** Runs the work on {@code runner} and returns a checksum of the results. */
    long run(TaskRunner runner) throws Exception;
  }

  static void resetInFlight() {
    IN_FLIGHT.set(0);
    PEAK_IN_FLIGHT.set(0);
  }

  static int peakInFlight() {
    return PEAK_IN_FLIGHT.get();
  }

  private static void enter() {
    PEAK_IN_FLIGHT.accumulateAndGet(IN_FLIGHT.incrementAndGet(), Math::max);
  }

  private static void exit() {
    IN_FLIGHT.decrementAndGet();
  }

  static List<Scenario> all(SlowServer server, double scale) {
    return List.of(
        httpFanOut(server, scaled(200, scale)),
        cpuJob(Math.max(200_000L, (long) (10_000_000 * scale))),
        serviceFanOut(server, scaled(100, scale)),
        report(server, scaled(200, scale)),
        watcher(server, scaled(200, scale)));
  }

  private static int scaled(int n, double scale) {
    return Math.max(4, (int) Math.round(n * scale));
  }

  /** Many independent HTTP calls from blocking code (threads, in the talk). */
  static Scenario httpFanOut(SlowServer server, int calls) {
    return new Scenario() {
      @Override
      public String id() {
        return "http";
      }

      @Override
      public String title() {
        return calls + " blocking HTTP calls, each answered after 50 ms";
      }

      @Override
      public Workload declared() {
        return Workload.ioBound();
      }

      @Override
      public long run(TaskRunner runner) throws Exception {
        List<ListenableFuture<Integer>> pages = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
          URI uri = server.uri(50, i);
          pages.add(runner.submit(() -> fetchLength(uri)));
        }
        return sum(Futures.allAsList(pages).get(5, TimeUnit.MINUTES));
      }
    };
  }

  private static int fetchLength(URI uri) throws IOException {
    enter();
    try {
      return SlowServer.blockingGet(uri).length();
    } finally {
      exit();
    }
  }

  /** Heavy computation (processes, in the talk; threads on the JVM). */
  static Scenario cpuJob(long limit) {
    return new Scenario() {
      @Override
      public String id() {
        return "cpu";
      }

      @Override
      public String title() {
        return String.format("count the primes below %,d in 64 ranges", limit);
      }

      @Override
      public Workload declared() {
        return Workload.cpuBound();
      }

      @Override
      public long run(TaskRunner runner) throws Exception {
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
          ranges.add(new long[] {limit * i / 64, limit * (i + 1) / 64});
        }
        return sum(runner.map(Scenarios::countPrimes, ranges).get(5, TimeUnit.MINUTES));
      }
    };
  }

  static long countPrimes(long[] range) {
    enter();
    try {
      return countPrimes(range[0], range[1]);
    } finally {
      exit();
    }
  }

  /** Counts the primes in {@code [from, to)} by trial division: deliberately CPU-heavy. */
  static long countPrimes(long from, long to) {
    return LongStream.range(Math.max(2, from), to).filter(Scenarios::isPrime).count();
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

  /** A web service fanning each request out to three slow dependencies (async, in the talk). */
  static Scenario serviceFanOut(SlowServer server, int requests) {
    return new Scenario() {
      @Override
      public String id() {
        return "fanout";
      }

      @Override
      public String title() {
        return requests + " requests, each calling 3 dependencies (30, 50, 80 ms) at once,"
            + " non-blocking";
      }

      @Override
      public Workload declared() {
        return Workload.ioBound().nonBlocking();
      }

      @Override
      public long run(TaskRunner runner) throws Exception {
        List<ListenableFuture<Integer>> responses = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          URI a = server.uri(30, i);
          URI b = server.uri(50, i);
          URI c = server.uri(80, i);
          responses.add(
              runner.submitAsync(
                  ctx -> {
                    HttpClient client = Clients.shared();
                    CompletableFuture<String> x = SlowServer.asyncGet(client, a);
                    CompletableFuture<String> y = SlowServer.asyncGet(client, b);
                    CompletableFuture<String> z = SlowServer.asyncGet(client, c);
                    return CompletableFuture.allOf(x, y, z)
                        .thenApply(v -> x.join().length() + y.join().length() + z.join().length());
                  }));
        }
        return sum(Futures.allAsList(responses).get(5, TimeUnit.MINUTES));
      }
    };
  }

  /** A report script: many I/O calls with some computation on each answer. */
  static Scenario report(SlowServer server, int rows) {
    return new Scenario() {
      @Override
      public String id() {
        return "report";
      }

      @Override
      public String title() {
        return rows + " report rows, each a 20 ms blocking call then ~2 ms of hashing";
      }

      @Override
      public Workload declared() {
        return Workload.ioBound();
      }

      @Override
      public long run(TaskRunner runner) throws Exception {
        List<ListenableFuture<Long>> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
          URI uri = server.uri(20, i);
          lines.add(runner.submit(() -> reportRow(uri)));
        }
        return sum(Futures.allAsList(lines).get(5, TimeUnit.MINUTES));
      }
    };
  }

  private static long reportRow(URI uri) throws IOException {
    enter();
    try {
      return digest(SlowServer.blockingGet(uri), 4_000);
    } finally {
      exit();
    }
  }

  /** Hashes {@code text} {@code rounds} times over: a small, fixed amount of computation. */
  static long digest(String text, int rounds) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < rounds; i++) {
      bytes = Hashing.sha256().hashBytes(bytes).asBytes();
    }
    return Hashing.sha256().hashBytes(bytes).asLong() & Long.MAX_VALUE;
  }

  /**
   * An event watcher: files appearing in a directory, each handed to a worker that reads it and
   * uploads a digest to a slow service (threads, in the talk).
   */
  static Scenario watcher(SlowServer server, int files) {
    return new Scenario() {
      @Override
      public String id() {
        return "watch";
      }

      @Override
      public String title() {
        return files + " files appearing in a watched directory, each read, hashed and uploaded"
            + " (20 ms)";
      }

      @Override
      public Workload declared() {
        return Workload.ioBound();
      }

      @Override
      public long run(TaskRunner runner) throws Exception {
        Path dir = Files.createTempDirectory("taskrunner-watch");
        List<ListenableFuture<Long>> handled = new ArrayList<>();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
          dir.register(
              watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
          Thread producer =
              Thread.ofPlatform()
                  .name("demo-file-producer")
                  .start(
                      () -> {
                        for (int i = 0; i < files; i++) {
                          try {
                            Files.writeString(dir.resolve("f" + i + ".txt"), "event " + i);
                          } catch (IOException e) {
                            throw new IllegalStateException(e);
                          }
                        }
                      });
          Set<String> seen = new HashSet<>();
          long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
          while (seen.size() < files && System.nanoTime() < deadline) {
            WatchKey key = watch.poll(100, TimeUnit.MILLISECONDS);
            if (key == null) {
              rescan(dir, seen, handled, runner, server); // an overflowed watch loses events
              continue;
            }
            for (WatchEvent<?> event : key.pollEvents()) {
              if (event.context() instanceof Path name) {
                submitOnce(dir.resolve(name), seen, handled, runner, server);
              }
            }
            key.reset();
          }
          producer.join();
          rescan(dir, seen, handled, runner, server);
          return sum(Futures.allAsList(handled).get(5, TimeUnit.MINUTES));
        } finally {
          try (var stream = Files.list(dir)) {
            for (Path p : stream.toList()) {
              Files.deleteIfExists(p);
            }
          }
          Files.deleteIfExists(dir);
        }
      }
    };
  }

  private static void rescan(
      Path dir,
      Set<String> seen,
      List<ListenableFuture<Long>> handled,
      TaskRunner runner,
      SlowServer server)
      throws IOException {
    try (var stream = Files.list(dir)) {
      for (Path p : stream.toList()) {
        submitOnce(p, seen, handled, runner, server);
      }
    }
  }

  private static void submitOnce(
      Path file,
      Set<String> seen,
      List<ListenableFuture<Long>> handled,
      TaskRunner runner,
      SlowServer server) {
    String path = file.toString();
    if (seen.add(path)) {
      URI upload = server.uri(20, seen.size());
      handled.add(runner.submit(() -> handleFile(path, upload)));
    }
  }

  private static long handleFile(String path, URI upload) throws IOException {
    enter();
    try {
      // A creation event can arrive before the producer's single write lands: read until it has.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String content = Files.readString(Path.of(path));
      while (!content.startsWith("event ")) {
        if (System.nanoTime() > deadline) {
          throw new IOException("file stayed incomplete: " + path);
        }
        Thread.onSpinWait();
        content = Files.readString(Path.of(path));
      }
      long digest = digest(content, 200);
      return digest + SlowServer.blockingGet(upload).length();
    } finally {
      exit();
    }
  }

  private static long sum(List<? extends Number> values) {
    long total = 0;
    for (Number n : values) {
      total += n.longValue();
    }
    return total;
  }

  /** One JDK HTTP client per JVM (worker processes get their own). */
  private static final class Clients {
    private static final HttpClient CLIENT =
        HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();

    static HttpClient shared() {
      return CLIENT;
    }
  }
}
