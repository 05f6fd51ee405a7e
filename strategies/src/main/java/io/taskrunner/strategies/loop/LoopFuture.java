package io.taskrunner.strategies.loop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CompletableFuture} bound to a loop: its {@code *Async} methods without an executor run
 * on that loop (not on the common pool), and so do those of every stage derived from it.
 *
 * <p>Thread-safe, as every {@code CompletableFuture}.
 */
class LoopFuture<T extends @Nullable Object> extends CompletableFuture<T> {
  final EventLoop loop;

  LoopFuture(EventLoop loop) {
    this.loop = loop;
  }

  @Override
  public Executor defaultExecutor() {
    return loop;
  }

  @Override
  public <U extends @Nullable Object> CompletableFuture<U> newIncompleteFuture() {
    return new LoopFuture<>(loop);
  }
}
