package io.taskrunner.strategies.loop;

import static java.util.Objects.requireNonNull;

import io.taskrunner.TaskContext;
import io.taskrunner.strategies.TcpConnection;
import io.taskrunner.strategies.TcpListener;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The bridge from {@link io.taskrunner.strategies.Loops}' I/O methods to the loop running a task.
 * Not for users: this package is not exported to them.
 */
public final class LoopIo {
  private LoopIo() {}

  /** See {@link io.taskrunner.strategies.Loops#connect}. */
  public static CompletableFuture<TcpConnection> connect(TaskContext context, SocketAddress remote) {
    requireNonNull(remote, "remote");
    return TcpChannel.connect(loopOf(context), remote);
  }

  /** See {@link io.taskrunner.strategies.Loops#listen}. */
  public static TcpListener listen(TaskContext context, SocketAddress local, int backlog)
      throws IOException {
    requireNonNull(local, "local");
    return TcpServer.bind(loopOf(context), local, backlog);
  }

  private static EventLoop loopOf(TaskContext context) {
    requireNonNull(context, "context");
    if (context instanceof LoopContext loopContext) {
      return loopContext.loop();
    }
    throw new IllegalArgumentException(
        "context must be that of a task on an event-loop runner, not of runner '"
            + context.runnerName()
            + "'");
  }
}
