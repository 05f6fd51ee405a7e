package io.taskrunner.strategies.loop;

import io.taskrunner.strategies.TcpConnection;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TcpConnection} on a non-blocking {@link SocketChannel} registered with one loop.
 *
 * <p>Concurrency: every field but {@code closed} and {@code pendingWriteBytes} belongs to the loop
 * thread; public methods create the future on the caller and hand the work to the loop ({@link
 * #onLoop}). Interest in {@code OP_WRITE} is on exactly while a write is partly done; {@code
 * OP_READ} is turned on by a read that finds no data and off only when the channel is readable with
 * no read pending, so a connection read in a loop costs no interest changes.
 *
 * <p>Failure: a read failure fails that read; a write failure fails every queued write and closes
 * the connection. After close, every pending and later operation fails with {@link
 * AsynchronousCloseException} or {@link ClosedChannelException}.
 */
final class TcpChannel implements TcpConnection, EventLoop.IoHandler {
  private final EventLoop loop;
  private final SocketChannel channel;
  private final SocketAddress remote;
  private @Nullable SelectionKey key;
  private @Nullable LoopFuture<TcpConnection> connecting;
  private @Nullable LoopFuture<Integer> reading;
  private @Nullable ByteBuffer readBuffer;
  private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();
  private @Nullable LoopFuture<@Nullable Void> shutdownAfterWrites;
  private boolean outputShut;
  private volatile boolean closed;
  private long queuedBytes; // loop thread only
  private volatile long pendingWriteBytes; // a copy of queuedBytes for other threads

  private TcpChannel(EventLoop loop, SocketChannel channel, SocketAddress remote) {
    this.loop = loop;
    this.channel = channel;
    this.remote = remote;
  }

  /** Opens a connection to {@code remote}; any thread. */
  static CompletableFuture<TcpConnection> connect(EventLoop loop, SocketAddress remote) {
    LoopFuture<TcpConnection> result = new LoopFuture<>(loop);
    onLoop(
        loop,
        result,
        () -> {
          SocketChannel channel = null;
          try {
            channel = SocketChannel.open();
            configure(channel);
            TcpChannel connection = new TcpChannel(loop, channel, remote);
            if (channel.connect(remote)) {
              connection.key = loop.register(channel, 0, connection);
              result.complete(connection);
            } else {
              connection.connecting = result;
              connection.key = loop.register(channel, SelectionKey.OP_CONNECT, connection);
              result.whenComplete(
                  (c, e) -> {
                    if (result.isCancelled()) {
                      connection.close();
                    }
                  });
            }
          } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  /** Wraps a connection accepted by a listener of {@code loop}. Loop thread only. */
  static TcpChannel accepted(EventLoop loop, SocketChannel channel) throws IOException {
    assert loop.inEventLoop();
    configure(channel);
    SocketAddress remote = channel.getRemoteAddress();
    TcpChannel connection = new TcpChannel(loop, channel, remote);
    connection.key = loop.register(channel, 0, connection);
    return connection;
  }

  private static void configure(SocketChannel channel) throws IOException {
    channel.configureBlocking(false);
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
  }

  // ---- reads -------------------------------------------------------------------------------------

  @Override
  public CompletableFuture<Integer> read(ByteBuffer buffer) {
    java.util.Objects.requireNonNull(buffer, "buffer");
    LoopFuture<Integer> result = new LoopFuture<>(loop);
    onLoop(loop, result, () -> startRead(buffer, result));
    return result;
  }

  private void startRead(ByteBuffer buffer, LoopFuture<Integer> result) {
    assert loop.inEventLoop();
    if (result.isDone()) {
      return; // cancelled before it got here
    }
    if (closed) {
      result.completeExceptionally(new ClosedChannelException());
      return;
    }
    if (reading != null) {
      result.completeExceptionally(
          new IllegalStateException("a read is already pending on " + this));
      return;
    }
    if (!buffer.hasRemaining()) {
      result.complete(0);
      return;
    }
    try {
      int n = channel.read(buffer);
      if (n != 0) {
        result.complete(n);
        return;
      }
    } catch (IOException e) {
      result.completeExceptionally(e);
      return;
    }
    reading = result;
    readBuffer = buffer;
    interest(SelectionKey.OP_READ, true);
    result.whenComplete(
        (n, e) -> {
          if (result.isCancelled()) {
            onLoopQuietly(() -> {
              if (result.equals(reading)) {
                clearRead();
              }
            });
          }
        });
  }

  /**
   * Forgets the pending read but leaves {@code OP_READ} interest on: the next read usually follows at
   * once, and turning interest off and on again costs two system calls per read. If the channel
   * becomes readable with no read pending, {@link #readReady} turns it off then.
   */
  private void clearRead() {
    reading = null;
    readBuffer = null;
  }

  private void readReady() {
    LoopFuture<Integer> result = reading;
    ByteBuffer buffer = readBuffer;
    if (result == null || buffer == null) {
      interest(SelectionKey.OP_READ, false);
      return;
    }
    try {
      int n = channel.read(buffer);
      if (n == 0) {
        return; // spurious
      }
      clearRead();
      result.complete(n);
    } catch (IOException e) {
      clearRead();
      result.completeExceptionally(e);
    }
  }

  // ---- writes ------------------------------------------------------------------------------------

  @Override
  public CompletableFuture<@Nullable Void> write(ByteBuffer buffer) {
    java.util.Objects.requireNonNull(buffer, "buffer");
    LoopFuture<@Nullable Void> result = new LoopFuture<>(loop);
    onLoop(
        loop,
        result,
        () -> {
          if (closed || outputShut) {
            result.completeExceptionally(new ClosedChannelException());
            return;
          }
          writes.add(new PendingWrite(buffer, result));
          queuedBytes += buffer.remaining();
          pendingWriteBytes = queuedBytes;
          if (writes.size() == 1) {
            flush();
          }
        });
    return result;
  }

  private void flush() {
    assert loop.inEventLoop();
    try {
      for (PendingWrite w = writes.peek(); w != null; w = writes.peek()) {
        int n = channel.write(w.buffer);
        queuedBytes -= n;
        pendingWriteBytes = queuedBytes;
        if (w.buffer.hasRemaining()) {
          interest(SelectionKey.OP_WRITE, true); // the kernel buffer is full: wait for the peer
          return;
        }
        writes.poll();
        w.result.complete(null);
      }
      interest(SelectionKey.OP_WRITE, false);
      LoopFuture<@Nullable Void> shutdown = shutdownAfterWrites;
      if (shutdown != null) {
        shutdownAfterWrites = null;
        channel.shutdownOutput();
        shutdown.complete(null);
      }
    } catch (IOException e) {
      closeNow(e);
    }
  }

  @Override
  public CompletableFuture<@Nullable Void> shutdownOutput() {
    LoopFuture<@Nullable Void> result = new LoopFuture<>(loop);
    onLoop(
        loop,
        result,
        () -> {
          if (closed) {
            result.completeExceptionally(new ClosedChannelException());
          } else if (outputShut) {
            result.complete(null); // idempotent
          } else {
            outputShut = true;
            shutdownAfterWrites = result;
            if (writes.isEmpty()) {
              flush();
            }
          }
        });
    return result;
  }

  @Override
  public long pendingWriteBytes() {
    return pendingWriteBytes;
  }

  // ---- readiness and closing ---------------------------------------------------------------------

  @Override
  public void ready(int readyOps) {
    assert loop.inEventLoop();
    if ((readyOps & SelectionKey.OP_CONNECT) != 0) {
      connectReady();
    }
    if ((readyOps & SelectionKey.OP_READ) != 0 && !closed) {
      readReady();
    }
    if ((readyOps & SelectionKey.OP_WRITE) != 0 && !closed) {
      flush();
    }
  }

  private void connectReady() {
    LoopFuture<TcpConnection> result = connecting;
    connecting = null;
    try {
      if (channel.finishConnect()) {
        interest(SelectionKey.OP_CONNECT, false);
        if (result != null && !result.complete(this)) {
          close(); // cancelled meanwhile
        }
      }
    } catch (IOException e) {
      closeNow(e);
      if (result != null) {
        result.completeExceptionally(e);
      }
    }
  }

  @Override
  public void loopStopped() {
    closeNow(new AsynchronousCloseException());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (loop.inEventLoop()) {
      closeNow(new AsynchronousCloseException());
    } else {
      try {
        loop.execute(() -> closeNow(new AsynchronousCloseException()));
      } catch (RejectedExecutionException e) {
        closeQuietly(channel); // the loop stopped, and closed everything it had
      }
    }
  }

  private void closeNow(Exception cause) {
    assert loop.inEventLoop() || loop.stateAcquire() == EventLoop.ST_TERMINATED;
    if (closed) {
      return;
    }
    closed = true;
    SelectionKey k = key;
    if (k != null) {
      k.cancel();
    }
    closeQuietly(channel);
    LoopFuture<Integer> r = reading;
    reading = null;
    readBuffer = null;
    if (r != null) {
      r.completeExceptionally(cause);
    }
    LoopFuture<TcpConnection> c = connecting;
    connecting = null;
    if (c != null) {
      c.completeExceptionally(cause);
    }
    for (PendingWrite w = writes.poll(); w != null; w = writes.poll()) {
      w.result.completeExceptionally(cause);
    }
    queuedBytes = 0;
    pendingWriteBytes = 0;
    LoopFuture<@Nullable Void> s = shutdownAfterWrites;
    shutdownAfterWrites = null;
    if (s != null) {
      s.completeExceptionally(cause);
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public @Nullable SocketAddress localAddress() {
    try {
      return channel.getLocalAddress();
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public SocketAddress remoteAddress() {
    return remote;
  }

  private void interest(int op, boolean on) {
    SelectionKey k = key;
    if (k == null || !k.isValid()) {
      return;
    }
    int ops = k.interestOps();
    int next = on ? ops | op : ops & ~op;
    if (next != ops) {
      k.interestOps(next);
    }
  }

  /** Runs {@code action} on the loop, or fails {@code result} if the loop has stopped. */
  static void onLoop(EventLoop loop, CompletableFuture<?> result, Runnable action) {
    if (loop.inEventLoop()) {
      action.run();
      return;
    }
    try {
      loop.execute(action);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
  }

  private void onLoopQuietly(Runnable action) {
    if (loop.inEventLoop()) {
      action.run();
    } else {
      try {
        loop.execute(action);
      } catch (RejectedExecutionException ignored) {
        // the loop stopped and closed this connection
      }
    }
  }

  static void closeQuietly(java.nio.channels.@Nullable Channel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing left to do with it
      }
    }
  }

  @Override
  public String toString() {
    return "TcpConnection[" + localAddress() + " -> " + remote + (closed ? ", closed" : "") + "]";
  }

  private record PendingWrite(ByteBuffer buffer, LoopFuture<@Nullable Void> result) {}
}
