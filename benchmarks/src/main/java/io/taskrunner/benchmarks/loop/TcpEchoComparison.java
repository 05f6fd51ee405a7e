package io.taskrunner.benchmarks.loop;

import io.taskrunner.TaskContext;
import io.taskrunner.strategies.EventLoopRunner;
import io.taskrunner.strategies.Loops;
import io.taskrunner.strategies.TcpConnection;
import io.taskrunner.strategies.TcpListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One event-loop thread serving N concurrent loopback TCP connections doing request/response,
 * against a virtual thread per connection with blocking sockets, on the same load. Not JMH: the
 * load generator runs in a child JVM (a taskrunner loop holding all N client connections), so that
 * each process needs only N file descriptors; it reports round trips per second.
 *
 * <p>Each connection sends a {@value #MESSAGE}-byte request and waits for the echo, {@code rounds}
 * times. Each server serves two client runs; the second is reported (the first warms its JIT up),
 * and the client measures only the exchanges, after every connection is open. Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.taskrunner.benchmarks.loop.TcpEchoComparison 10000 20}
 */
public final class TcpEchoComparison {
  static final int MESSAGE = 64;
  private static final int CONNECTS_IN_FLIGHT = 500;

  private TcpEchoComparison() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("client")) {
      client(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      return;
    }
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    for (String mode : List.of("event-loop", "virtual-threads")) {
      String result =
          mode.equals("event-loop")
              ? withLoopServer(connections, rounds)
              : withVirtualThreadServer(connections, rounds);
      System.out.printf(Locale.US, "server=%-16s %s%n", mode, result);
    }
  }

  // ---- servers -----------------------------------------------------------------------------------

  private static String withLoopServer(int connections, int rounds) throws Exception {
    try (EventLoopRunner loop =
        EventLoopRunner.builder()
            .name("echo-server")
            .blockedLoopThreshold(java.time.Duration.ofSeconds(1)) // 2 shared cores: starvation
            .build()) {
      CompletableFuture<TcpListener> bound = new CompletableFuture<>();
      var served =
          loop.submitAsync(
              ctx -> {
                TcpListener listener =
                    Loops.listen(
                        ctx, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16_384);
                bound.complete(listener);
                return serve(listener).thenApply(v -> "stopped");
              });
      TcpListener listener = bound.get();
      try {
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        var unused = runClient(port, connections, rounds); // warms the server's JIT up
        return runClient(port, connections, rounds);
      } finally {
        listener.close();
        var unused = served.get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static CompletableFuture<String> serve(TcpListener listener) {
    return listener
        .accept()
        .handleAsync(
            (c, failure) -> {
              if (failure != null) {
                return CompletableFuture.completedFuture("stopped");
              }
              var unused = echo(c, ByteBuffer.allocate(MESSAGE * 4));
              return serve(listener);
            })
        .thenCompose(x -> x);
  }

  private static CompletionStage<String> echo(TcpConnection c, ByteBuffer buffer) {
    buffer.clear();
    return c.read(buffer)
        .thenComposeAsync(
            n -> {
              if (n < 0) {
                c.close();
                return CompletableFuture.completedFuture("closed");
              }
              buffer.flip();
              return c.write(buffer).thenCompose(v -> echo(c, buffer));
            });
  }

  private static String withVirtualThreadServer(int connections, int rounds) throws Exception {
    ServerSocket server = new ServerSocket(0, 16_384, InetAddress.getLoopbackAddress());
    {
      Thread acceptor =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    while (!server.isClosed()) {
                      try {
                        Socket socket = server.accept();
                        Thread.ofVirtual().start(() -> blockingEcho(socket));
                      } catch (IOException e) {
                        return; // closed
                      }
                    }
                  });
      try {
        var unused = runClient(server.getLocalPort(), connections, rounds); // warm-up
        return runClient(server.getLocalPort(), connections, rounds);
      } finally {
        server.close();
        acceptor.join();
      }
    }
  }

  private static void blockingEcho(Socket socket) {
    try (socket;
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream()) {
      socket.setTcpNoDelay(true);
      byte[] buffer = new byte[MESSAGE * 4];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
      }
    } catch (IOException ignored) {
      // the client went away
    }
  }

  // ---- the load generator, in a child JVM --------------------------------------------------------

  private static String runClient(int port, int connections, int rounds) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                TcpEchoComparison.class.getName(),
                "client",
                Integer.toString(port),
                Integer.toString(connections),
                Integer.toString(rounds))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String last = "no result";
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        last = line;
      }
    }
    int exit = child.waitFor();
    return exit == 0 ? last : "client failed with exit code " + exit + ": " + last;
  }

  private static void client(int port, int connections, int rounds) throws Exception {
    InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    try (EventLoopRunner loop =
        EventLoopRunner.builder().name("echo-client").blockedLoopThreshold(
            java.time.Duration.ofSeconds(5)).build()) {
      long[] times = new long[2];
      var done =
          loop.submitAsync(
              ctx ->
                  connectAll(ctx, server, connections)
                      .thenCompose(
                          all -> {
                            times[0] = System.nanoTime();
                            List<CompletionStage<Integer>> talks = new ArrayList<>(all.size());
                            for (TcpConnection c : all) {
                              talks.add(talk(c, rounds, ByteBuffer.allocate(MESSAGE)));
                            }
                            return Loops.all(ctx, talks);
                          })
                      .thenApply(
                          results -> {
                            times[1] = System.nanoTime();
                            return results.size();
                          }));
      int finished = done.get(10, TimeUnit.MINUTES);
      double seconds = (times[1] - times[0]) / 1e9;
      System.out.printf(
          Locale.US,
          "connections=%d rounds=%d time=%.2fs round-trips/s=%.0f%n",
          finished,
          rounds,
          seconds,
          finished * (double) rounds / seconds);
    }
  }

  /** Opens {@code count} connections, at most {@value #CONNECTS_IN_FLIGHT} connecting at once. */
  private static CompletableFuture<List<TcpConnection>> connectAll(
      TaskContext ctx, InetSocketAddress server, int count) {
    List<TcpConnection> open = new ArrayList<>(count); // loop-confined
    CompletableFuture<List<TcpConnection>> all = new CompletableFuture<>();
    int[] started = {0};
    Runnable[] next = new Runnable[1];
    next[0] =
        () -> {
          if (started[0] >= count) {
            return;
          }
          started[0]++;
          var unused =
              Loops.connect(ctx, server)
                  .whenCompleteAsync(
                      (c, failure) -> {
                        if (failure != null) {
                          all.completeExceptionally(failure);
                          return;
                        }
                        open.add(c);
                        if (open.size() == count) {
                          all.complete(open);
                        } else {
                          next[0].run();
                        }
                      },
                      ctx.executor());
        };
    for (int i = 0; i < Math.min(CONNECTS_IN_FLIGHT, count); i++) {
      next[0].run();
    }
    return all;
  }

  /** {@code rounds} request/response exchanges, then close; completes with the rounds done. */
  private static CompletionStage<Integer> talk(TcpConnection c, int rounds, ByteBuffer buffer) {
    if (rounds == 0) {
      c.close();
      return CompletableFuture.completedFuture(0);
    }
    buffer.clear();
    return c.write(buffer)
        .thenCompose(v -> readFully(c, buffer))
        .thenComposeAsync(v -> talk(c, rounds - 1, buffer));
  }

  private static CompletionStage<ByteBuffer> readFully(TcpConnection c, ByteBuffer buffer) {
    buffer.clear();
    return c.read(buffer)
        .thenCompose(
            n -> {
              if (n < 0) {
                return CompletableFuture.failedFuture(new IOException("server closed early"));
              }
              return buffer.hasRemaining() ? readMore(c, buffer) : CompletableFuture.completedFuture(buffer);
            });
  }

  private static CompletionStage<ByteBuffer> readMore(TcpConnection c, ByteBuffer buffer) {
    return c.read(buffer)
        .thenComposeAsync(
            n -> {
              if (n < 0) {
                return CompletableFuture.failedFuture(new IOException("server closed early"));
              }
              return buffer.hasRemaining()
                  ? readMore(c, buffer)
                  : CompletableFuture.completedFuture(buffer);
            });
  }
}
