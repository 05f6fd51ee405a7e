package io.taskrunner.strategies.loop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CompletableFuture} bound to a loop: its {@code *Async} methods without an executor run
 * on that loop (not on the common pool), and so do those of every stage derived from it.
 *
 * <p>Blocking on it from its own loop thread while it is pending ({@code get}, {@code join}) would
 * wait forever, since only that thread can complete it: those calls throw {@link
 * IllegalStateException} naming the method instead.
 *
 * <p>Thread-safe, as every {@code CompletableFuture}.
 */
class LoopFuture<T extends @Nullable Object> extends CompletableFuture<T> {
  final EventLoop loop;

  LoopFuture(EventLoop loop) {
    this.loop = loop;
  }

  @Override
  public T get() throws InterruptedException, ExecutionException {
    refuseBlockingOnTheLoop("get()");
    return super.get();
  }

  @Override
  public T get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    refuseBlockingOnTheLoop("get(timeout)");
    return super.get(timeout, unit);
  }

  @Override
  public T join() {
    refuseBlockingOnTheLoop("join()");
    return super.join();
  }

  private void refuseBlockingOnTheLoop(String method) {
    if (!isDone() && loop.inEventLoop()) {
      throw new IllegalStateException(
          method
              + " on a pending future of event loop "
              + loop.name()
              + ", from that loop's thread, would block it forever: chain a continuation"
              + " (thenApply, thenCompose) instead");
    }
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
