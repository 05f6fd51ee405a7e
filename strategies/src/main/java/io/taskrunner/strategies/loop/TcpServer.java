package io.taskrunner.strategies.loop;

import io.taskrunner.strategies.TcpConnection;
import io.taskrunner.strategies.TcpListener;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TcpListener} on a non-blocking {@link ServerSocketChannel}: bound on the caller's thread,
 * registered with its loop on the first accept.
 *
 * <p>Concurrency: the queue of pending accepts and the key belong to the loop thread; {@code
 * OP_ACCEPT} interest is on exactly while an accept is pending and none could be served.
 */
final class TcpServer implements TcpListener, EventLoop.IoHandler {
  private final EventLoop loop;
  private final ServerSocketChannel channel;
  private final SocketAddress local;
  private final ArrayDeque<LoopFuture<TcpConnection>> accepts = new ArrayDeque<>();
  private @Nullable SelectionKey key;
  private volatile boolean closed;

  private TcpServer(EventLoop loop, ServerSocketChannel channel, SocketAddress local) {
    this.loop = loop;
    this.channel = channel;
    this.local = local;
  }

  static TcpServer bind(EventLoop loop, SocketAddress address, int backlog) throws IOException {
    ServerSocketChannel channel = ServerSocketChannel.open();
    try {
      channel.configureBlocking(false);
      channel.bind(address, backlog);
      return new TcpServer(loop, channel, channel.getLocalAddress());
    } catch (IOException | RuntimeException e) {
      TcpChannel.closeQuietly(channel);
      throw e;
    }
  }

  @Override
  public CompletableFuture<TcpConnection> accept() {
    LoopFuture<TcpConnection> result = new LoopFuture<>(loop);
    TcpChannel.onLoop(
        loop,
        result,
        () -> {
          if (closed) {
            result.completeExceptionally(new ClosedChannelException());
            return;
          }
          accepts.add(result);
          result.whenComplete(
              (c, e) -> {
                if (result.isCancelled() && loop.inEventLoop()) {
                  accepts.remove(result);
                }
              });
          drain();
        });
    return result;
  }

  private void drain() {
    assert loop.inEventLoop();
    try {
      while (!accepts.isEmpty()) {
        SocketChannel accepted = channel.accept();
        if (accepted == null) {
          interest(true);
          return;
        }
        TcpChannel connection;
        try {
          connection = TcpChannel.accepted(loop, accepted);
        } catch (IOException e) {
          TcpChannel.closeQuietly(accepted);
          continue; // the peer went away already: wait for the next one
        }
        LoopFuture<TcpConnection> next = accepts.poll();
        if (next == null || !next.complete(connection)) {
          connection.close(); // cannot happen: cancelled accepts leave the queue first
        }
      }
      interest(false);
    } catch (IOException e) {
      for (LoopFuture<TcpConnection> f = accepts.poll(); f != null; f = accepts.poll()) {
        f.completeExceptionally(e);
      }
    }
  }

  private void interest(boolean on) throws IOException {
    SelectionKey k = key;
    if (k == null) {
      if (!on) {
        return;
      }
      key = loop.register(channel, SelectionKey.OP_ACCEPT, this);
      return;
    }
    if (k.isValid()) {
      k.interestOps(on ? SelectionKey.OP_ACCEPT : 0);
    }
  }

  @Override
  public void ready(int readyOps) {
    drain();
  }

  @Override
  public void loopStopped() {
    closeNow();
  }

  @Override
  public SocketAddress localAddress() {
    return local;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (loop.inEventLoop()) {
      closeNow();
      return;
    }
    try {
      loop.execute(this::closeNow);
    } catch (RejectedExecutionException e) {
      closed = true;
      TcpChannel.closeQuietly(channel);
    }
  }

  private void closeNow() {
    if (closed) {
      return;
    }
    closed = true;
    SelectionKey k = key;
    if (k != null) {
      k.cancel();
    }
    TcpChannel.closeQuietly(channel);
    for (LoopFuture<TcpConnection> f = accepts.poll(); f != null; f = accepts.poll()) {
      f.completeExceptionally(new AsynchronousCloseException());
    }
  }

  @Override
  public String toString() {
    return "TcpListener[" + local + (closed ? ", closed" : "") + "]";
  }
}
