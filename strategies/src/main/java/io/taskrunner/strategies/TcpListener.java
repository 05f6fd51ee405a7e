package io.taskrunner.strategies;

import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * A listening TCP socket owned by an event loop, from {@link Loops#listen}. Accepted connections
 * belong to the same loop.
 *
 * <p>Thread-safety: every method may be called from any thread. Not meant to be implemented
 * outside taskrunner.
 */
public interface TcpListener extends AutoCloseable {

  /**
   * Accepts the next connection. Several accepts may be pending; they are served in order.
   * Cancelling a pending accept's future frees it.
   *
   * @return a future of the accepted connection, completed on the loop thread
   */
  CompletableFuture<TcpConnection> accept();

  /** The address it listens on (with the actual port when bound to port 0). */
  SocketAddress localAddress();

  /** Stops listening; pending accepts fail. Idempotent; never blocks. */
  @Override
  void close();
}
