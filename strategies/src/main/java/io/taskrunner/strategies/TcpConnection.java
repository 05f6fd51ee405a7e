package io.taskrunner.strategies;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A non-blocking TCP connection owned by an event loop, from {@link Loops#connect} or {@link
 * TcpListener#accept}. Every operation returns at once with a future that completes on the loop
 * thread, so continuations run there.
 *
 * <p>Reads: one at a time; a second {@link #read} while one is pending fails with {@link
 * IllegalStateException}. Cancelling a pending read's future stops waiting and frees it (the
 * connection stays usable).
 *
 * <p>Writes and back-pressure: writes are queued in order; each write's future completes once all
 * of its bytes are in the kernel's send buffer. A writer that waits for each write's future before
 * the next never queues more than one buffer, however slow the peer: that is the back-pressure.
 * {@link #pendingWriteBytes} tells how much is queued. Cancelling a write's future does not unsend
 * its bytes.
 *
 * <p>Closing: {@link #shutdownOutput} half-closes (the peer reads end-of-stream once queued writes
 * are flushed; reading still works); {@link #close} closes both ways at once and fails pending
 * operations with {@link java.nio.channels.AsynchronousCloseException}. When the runner stops, its
 * loops close every connection still open.
 *
 * <p>Thread-safety: every method may be called from any thread; work is handed to the loop. The
 * buffers passed in belong to the connection until the operation's future completes. Not meant to
 * be implemented outside taskrunner.
 */
public interface TcpConnection extends AutoCloseable {

  /**
   * Reads into {@code buffer}'s remaining space.
   *
   * @return a future of the number of bytes read, at least 1, or 0 if {@code buffer} had no space
   *     left, or -1 at end of stream; it fails with the {@link java.io.IOException} of a failed read
   * @throws NullPointerException if {@code buffer} is null
   */
  CompletableFuture<Integer> read(ByteBuffer buffer);

  /**
   * Writes all of {@code buffer}'s remaining bytes, after those already queued.
   *
   * @return a future that completes once every byte is handed to the kernel, or fails with the
   *     {@link java.io.IOException} of a failed write (the connection is then closed)
   * @throws NullPointerException if {@code buffer} is null
   */
  CompletableFuture<@Nullable Void> write(ByteBuffer buffer);

  /**
   * Half-closes: once queued writes are flushed, shuts the output down so that the peer reads
   * end-of-stream. Later writes fail with {@link java.nio.channels.ClosedChannelException}.
   *
   * @return a future that completes when the output is shut down
   */
  CompletableFuture<@Nullable Void> shutdownOutput();

  /** The number of bytes queued for writing and not yet handed to the kernel. */
  long pendingWriteBytes();

  /** The local address, or {@code null} before the connection is established. */
  @Nullable SocketAddress localAddress();

  /** The remote address this connection was opened to or accepted from. */
  SocketAddress remoteAddress();

  /** Whether {@link #close} was called or the connection failed. */
  boolean isClosed();

  /** Closes the connection both ways; pending operations fail. Idempotent; never blocks. */
  @Override
  void close();
}
