package io.taskrunner.strategies.loop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import io.taskrunner.strategies.EventLoopRunner;
import io.taskrunner.strategies.Loops;
import io.taskrunner.strategies.TcpConnection;
import io.taskrunner.strategies.TcpListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TcpTest {
  private static final InetSocketAddress ANY_LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  private final EventLoopRunner runner =
      EventLoopRunner.builder().name("tcp").queueCapacity(100_000).build();

  @AfterEach
  void close() {
    runner.close();
  }

  /** Echoes until end of stream, then half-closes and closes. Runs on the loop. */
  private static CompletableFuture<@Nullable Void> echo(TcpConnection c) {
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    return c.read(buffer)
        .thenComposeAsync(
            n -> {
              if (n < 0) {
                return c.shutdownOutput().thenRun(c::close);
              }
              buffer.flip();
              return c.write(buffer).thenCompose(v -> echo(c));
            });
  }

  /** Serves every connection with {@link #echo} until the listener is closed. */
  private static CompletableFuture<@Nullable Void> serve(TcpListener listener) {
    return listener
        .accept()
        .handleAsync(
            (c, failure) -> {
              if (failure != null) {
                return CompletableFuture.<@Nullable Void>completedFuture(null); // closed: done
              }
              var unused = echo(c);
              return serve(listener);
            })
        .thenCompose(x -> x);
  }

  private static CompletableFuture<String> readAll(TcpConnection c, ByteArrayOutputStream out) {
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    return c.read(buffer)
        .thenComposeAsync(
            n -> {
              if (n < 0) {
                c.close();
                return CompletableFuture.completedFuture(out.toString(UTF_8));
              }
              out.write(buffer.array(), 0, n);
              return readAll(c, out);
            });
  }

  /** Starts an echo server task; returns its listener once bound. */
  private TcpListener startEchoServer(List<ListenableFuture<?>> tasks) throws Exception {
    CompletableFuture<TcpListener> bound = new CompletableFuture<>();
    tasks.add(
        runner.submitAsync(
            ctx -> {
              TcpListener listener = Loops.listen(ctx, ANY_LOOPBACK, 4096);
              bound.complete(listener);
              return serve(listener).thenApply(v -> "stopped");
            }));
    return bound.get(10, SECONDS);
  }

  @Test
  void echo_manyConcurrentConnections_onOneLoopThread() throws Exception {
    List<ListenableFuture<?>> serverTask = new ArrayList<>();
    TcpListener listener = startEchoServer(serverTask);
    int connections = 1_000;
    List<ListenableFuture<String>> replies = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      String message = "hello " + i + " " + "x".repeat(i % 300);
      replies.add(
          runner.submitAsync(
              ctx ->
                  Loops.connect(ctx, listener.localAddress())
                      .thenCompose(
                          c ->
                              c.write(ByteBuffer.wrap(message.getBytes(UTF_8)))
                                  .thenCompose(v -> c.shutdownOutput())
                                  .thenCompose(v -> readAll(c, new ByteArrayOutputStream())))));
    }
    for (int i = 0; i < connections; i++) {
      assertThat(replies.get(i).get(20, SECONDS)).isEqualTo("hello " + i + " " + "x".repeat(i % 300));
    }
    listener.close();
    assertThat(serverTask.get(0).get(10, SECONDS)).isEqualTo("stopped");
  }

  @Test
  void write_toAPeerThatDoesNotRead_waits_thenCompletesWhenItReads() throws Exception {
    CompletableFuture<TcpConnection> serverSide = new CompletableFuture<>();
    CompletableFuture<TcpListener> bound = new CompletableFuture<>();
    ListenableFuture<TcpConnection> server =
        runner.submitAsync(
            ctx -> {
              TcpListener listener = Loops.listen(ctx, ANY_LOOPBACK, 0);
              bound.complete(listener);
              return listener.accept().whenComplete((c, e) -> listener.close());
            });
    InetSocketAddress address = (InetSocketAddress) bound.get(10, SECONDS).localAddress();
    int size = 32 << 20; // far more than loopback socket buffers hold
    ByteBuffer payload = ByteBuffer.allocate(size); // allocated here: zeroing it would block the loop
    CompletableFuture<CompletableFuture<@Nullable Void>> write = new CompletableFuture<>();
    ListenableFuture<TcpConnection> client =
        runner.submitAsync(
            ctx ->
                Loops.connect(ctx, address)
                    .thenApply(
                        c -> {
                          write.complete(c.write(payload));
                          return c;
                        }));
    TcpConnection clientConnection = client.get(10, SECONDS);
    serverSide.complete(server.get(10, SECONDS));
    CompletableFuture<@Nullable Void> pendingWrite = write.get(10, SECONDS);
    // One round trip through the loop: the write has flushed what the kernel took.
    assertThat(runner.submit(() -> "sync").get(10, SECONDS)).isEqualTo("sync");
    assertThat(pendingWrite.isDone()).isFalse();
    assertThat(clientConnection.pendingWriteBytes()).isPositive();

    // The peer reads everything: the write completes.
    TcpConnection reader = serverSide.get();
    ListenableFuture<Long> drained =
        runner.submitAsync(ctx -> drain(reader, ByteBuffer.allocate(1 << 16), 0L, size));
    assertThat(drained.get(20, SECONDS)).isEqualTo((long) size);
    assertThat(pendingWrite.get(10, SECONDS)).isNull();
    assertThat(clientConnection.pendingWriteBytes()).isZero();
    clientConnection.close();
    reader.close();
  }

  private static CompletionStage<Long> drain(
      TcpConnection c, ByteBuffer buffer, long soFar, long want) {
    if (soFar >= want) {
      return CompletableFuture.completedFuture(soFar);
    }
    buffer.clear();
    return c.read(buffer)
        .thenComposeAsync(n -> n < 0 ? CompletableFuture.completedFuture(soFar)
            : drain(c, buffer, soFar + n, want));
  }

  @Test
  void cancel_pendingRead_freesIt_andTheConnectionStaysUsable() throws Exception {
    List<ListenableFuture<?>> serverTask = new ArrayList<>();
    TcpListener listener = startEchoServer(serverTask);
    ListenableFuture<TcpConnection> client =
        runner.submitAsync(ctx -> Loops.connect(ctx, listener.localAddress()));
    TcpConnection c = client.get(10, SECONDS);
    CompletableFuture<Integer> idle = c.read(ByteBuffer.allocate(16)); // the echo sends nothing yet
    assertThat(idle.cancel(true)).isTrue();
    ByteBuffer reply = ByteBuffer.allocate(16);
    CompletableFuture<Integer> read = c.read(reply); // a second read: the first one was freed
    assertThat(c.write(ByteBuffer.wrap("ping".getBytes(UTF_8))).get(10, SECONDS)).isNull();
    assertThat(read.get(10, SECONDS)).isEqualTo(4);
    assertThat(new String(reply.array(), 0, 4, UTF_8)).isEqualTo("ping");

    CompletableFuture<Integer> pending = c.read(ByteBuffer.allocate(16));
    c.close();
    assertThatThrownBy(() -> pending.get(10, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(AsynchronousCloseException.class);
    assertThat(c.isClosed()).isTrue();
    listener.close();
    assertThat(serverTask.get(0).get(10, SECONDS)).isEqualTo("stopped");
  }

  @Test
  void secondConcurrentRead_failsNamingTheConnection() throws Exception {
    List<ListenableFuture<?>> serverTask = new ArrayList<>();
    TcpListener listener = startEchoServer(serverTask);
    TcpConnection c =
        runner.submitAsync(ctx -> Loops.connect(ctx, listener.localAddress())).get(10, SECONDS);
    CompletableFuture<Integer> first = c.read(ByteBuffer.allocate(16));
    CompletableFuture<Integer> second = c.read(ByteBuffer.allocate(16));
    assertThatThrownBy(() -> second.get(10, SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already pending");
    c.close();
    assertThatThrownBy(() -> first.get(10, SECONDS)).isInstanceOf(ExecutionException.class);
    listener.close();
  }

  @Test
  void connect_toAClosedPort_failsWithIOException() throws Exception {
    InetSocketAddress closedPort;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
    }
    ListenableFuture<TcpConnection> refused =
        runner.submitAsync(ctx -> Loops.connect(ctx, closedPort));
    assertThatThrownBy(() -> refused.get(10, SECONDS)).hasCauseInstanceOf(IOException.class);
  }

  @Test
  void io_onAThreadRunnersContext_isRefused() {
    try (TaskRunner io = Runners.forWorkload(Workload.ioBound())) {
      ListenableFuture<TcpConnection> wrong = io.submitAsync(ctx -> Loops.connect(ctx, ANY_LOOPBACK));
      assertThatThrownBy(() -> wrong.get(10, SECONDS))
          .hasCauseInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("event-loop");
    }
  }

  @Test
  void closingTheRunner_closesOpenConnections() throws Exception {
    EventLoopRunner other = EventLoopRunner.builder().build();
    CompletableFuture<TcpListener> bound = new CompletableFuture<>();
    ListenableFuture<String> server =
        other.submitAsync(
            ctx -> {
              TcpListener listener = Loops.listen(ctx, ANY_LOOPBACK, 0);
              bound.complete(listener);
              return listener.accept().thenApply(c -> "accepted"); // it stays open
            });
    TcpListener listener = bound.get(10, SECONDS);
    TcpConnection c =
        other.submitAsync(ctx -> Loops.connect(ctx, listener.localAddress())).get(10, SECONDS);
    assertThat(server.get(10, SECONDS)).isEqualTo("accepted");
    CompletableFuture<Integer> pending = c.read(ByteBuffer.allocate(8));
    other.close();
    assertThatThrownBy(() -> pending.get(10, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(AsynchronousCloseException.class);
    assertThat(c.isClosed()).isTrue();
    assertThatThrownBy(() -> c.read(ByteBuffer.allocate(8)).get(10, SECONDS))
        .isInstanceOfAny(ExecutionException.class, CancellationException.class);
  }
}
