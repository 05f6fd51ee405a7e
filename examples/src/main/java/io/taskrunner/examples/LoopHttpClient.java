package io.taskrunner.examples;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.util.concurrent.ListenableFuture;
import com.sun.net.httpserver.HttpServer;
import io.taskrunner.TaskContext;
import io.taskrunner.strategies.EventLoopRunner;
import io.taskrunner.strategies.Loops;
import io.taskrunner.strategies.TcpConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;

/**
 * An HTTP/1.1 client call made on the event loop, with no thread per call: {@link #get} opens a
 * non-blocking TCP connection ({@link Loops#connect}), writes the request, half-closes nothing,
 * reads the response until the server closes ({@code Connection: close}) and parses it. {@link
 * #main} fires 200 concurrent calls at a local JDK {@code HttpServer} from one loop thread, each
 * bounded by {@link Loops#withTimeout}, and gathers them with {@link Loops#all}.
 *
 * <p>A teaching example, not an HTTP client: it handles {@code Content-Length} bodies and
 * connection close only (no chunked encoding, keep-alive or TLS).
 */
public final class LoopHttpClient {
  private LoopHttpClient() {}

  /** A parsed response. */
  public record Response(int status, String body) {}

  /**
   * Sends {@code GET path} to {@code server} on the loop running the task whose context this is.
   *
   * @return a future of the response, completed on the loop thread
   */
  @SuppressWarnings("exports") // an example module: its readers have taskrunner-core anyway
  public static CompletableFuture<Response> get(
      TaskContext context, InetSocketAddress server, String path) {
    String request =
        "GET " + path + " HTTP/1.1\r\n"
            + "Host: " + server.getHostString() + ":" + server.getPort() + "\r\n"
            + "Connection: close\r\n"
            + "\r\n";
    return Loops.connect(context, server)
        .thenCompose(
            connection ->
                connection
                    .write(ByteBuffer.wrap(request.getBytes(ISO_8859_1)))
                    .thenCompose(v -> readToEnd(connection, new ByteArrayOutputStream()))
                    .whenComplete((bytes, failure) -> connection.close()))
        .thenApply(LoopHttpClient::parse);
  }

  private static CompletionStage<byte[]> readToEnd(TcpConnection c, ByteArrayOutputStream out) {
    ByteBuffer buffer = ByteBuffer.allocate(8192);
    return c.read(buffer)
        .thenComposeAsync( // async: on the loop, without growing the stack per read
            n -> {
              if (n < 0) {
                return CompletableFuture.completedFuture(out.toByteArray());
              }
              out.write(buffer.array(), 0, n);
              return readToEnd(c, out);
            });
  }

  static Response parse(byte[] raw) {
    String text = new String(raw, ISO_8859_1);
    int headerEnd = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.") || headerEnd < 0) {
      throw new IllegalStateException("not an HTTP/1.x response: " + text);
    }
    int status = Integer.parseInt(text.substring(9, 12));
    int contentLength = -1;
    for (String line : text.substring(0, headerEnd).split("\r\n", -1)) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        contentLength = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    int bodyStart = headerEnd + 4;
    int bodyEnd = contentLength < 0 ? raw.length : Math.min(raw.length, bodyStart + contentLength);
    return new Response(status, new String(raw, bodyStart, bodyEnd - bodyStart, UTF_8));
  }

  /** Starts a local server that answers {@code hello <path>}; the caller stops it. */
  static HttpServer startServer() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/",
        exchange -> {
          byte[] body = ("hello " + exchange.getRequestURI().getPath()).getBytes(UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return server;
  }

  /** Runs {@code calls} concurrent GETs from one loop thread and prints a summary to {@code out}. */
  static List<Response> run(int calls, PrintStream out) throws Exception {
    HttpServer server = startServer();
    try (EventLoopRunner loop = EventLoopRunner.builder().name("http").build()) {
      InetSocketAddress address = server.getAddress();
      long start = System.nanoTime();
      ListenableFuture<List<Response>> all =
          loop.submitAsync(
              ctx -> {
                List<CompletionStage<Response>> pending = new ArrayList<>(calls);
                for (int i = 0; i < calls; i++) {
                  pending.add(
                      Loops.withTimeout(ctx, get(ctx, address, "/item/" + i), Duration.ofSeconds(10)));
                }
                return Loops.all(ctx, pending);
              });
      List<Response> responses = all.get();
      out.printf(
          Locale.US,
          "%d HTTP/1.1 GETs from one loop thread in %.1f ms; first: %d %s%n",
          responses.size(),
          (System.nanoTime() - start) / 1e6,
          responses.get(0).status(),
          responses.get(0).body());
      return responses;
    } finally {
      server.stop(0);
    }
  }

  /** Runs the example: {@code java io.taskrunner.examples.LoopHttpClient [calls]}. */
  public static void main(String[] args) throws Exception {
    List<Response> unused = run(args.length > 0 ? Integer.parseInt(args[0]) : 200, System.out);
  }
}
