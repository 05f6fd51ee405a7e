package io.taskrunner.examples;

import com.google.common.base.Splitter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local HTTP server on loopback whose endpoint {@code /slow?ms=N&id=K} answers {@code "ok K"}
 * after N milliseconds: the slow external dependency of the demo's scenarios. It serves each
 * request on a virtual thread, so it never becomes the bottleneck. Close it when done.
 */
final class SlowServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  /** Starts the server on an ephemeral loopback port. */
  SlowServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.setExecutor(executor);
    server.createContext("/slow", SlowServer::handle);
    server.start();
  }

  private static void handle(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getQuery();
    long millis = 0;
    String id = "";
    if (query != null) {
      for (String pair : Splitter.on('&').split(query)) {
        if (pair.startsWith("ms=")) {
          millis = Long.parseLong(pair.substring(3));
        } else if (pair.startsWith("id=")) {
          id = pair.substring(3);
        }
      }
    }
    try {
      Thread.sleep(millis); // the dependency thinking
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    byte[] body = ("ok " + id).getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream os = exchange.getResponseBody()) {
      os.write(body);
    }
  }

  /** The URI of {@code /slow} answering after {@code millis} with {@code "ok <id>"}. */
  URI uri(long millis, int id) {
    return URI.create(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/slow?ms=" + millis + "&id=" + id);
  }

  /** A classic blocking HTTP GET, like a JDBC query: the calling thread waits on the socket. */
  static String blockingGet(URI uri) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    connection.setConnectTimeout(30_000);
    connection.setReadTimeout(30_000);
    // A fresh connection per call, like a pool-less client: otherwise runs that follow reuse the
    // keep-alive connections of runs before them, and the order of the rows decides the timings.
    connection.setRequestProperty("Connection", "close");
    try (InputStream in = connection.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      connection.disconnect();
    }
  }

  /** A non-blocking HTTP GET through the JDK client: no thread waits for the answer. */
  static CompletableFuture<String> asyncGet(HttpClient client, URI uri) {
    return client
        .sendAsync(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString())
        .thenApply(HttpResponse::body);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.close();
  }
}
