package io.taskrunner;

import com.google.common.util.concurrent.ForwardingListeningExecutorService;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** A runner that ignores every attempt to close it: see {@link Runners#shared}. Thread-safe. */
final class SharedRunner implements TaskRunner {
  private final TaskRunner delegate;
  private final ExecutorService view;

  SharedRunner(TaskRunner delegate) {
    this.delegate = delegate;
    ListeningExecutorService executor =
        MoreExecutors.listeningDecorator(delegate.asExecutorService());
    this.view =
        new ForwardingListeningExecutorService() {
          @Override
          protected ListeningExecutorService delegate() {
            return executor;
          }

          @Override
          public void shutdown() {}

          @Override
          public List<Runnable> shutdownNow() {
            return List.of();
          }

          @Override
          public boolean isShutdown() {
            return false;
          }

          @Override
          public boolean isTerminated() {
            return false;
          }

          @Override
          public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            unit.sleep(timeout);
            return false;
          }

          @Override
          public void close() {}
        };
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Strategy strategy() {
    return delegate.strategy();
  }

  @Override
  public <T extends @Nullable Object> ListenableFuture<T> submit(Task<T> task) {
    return delegate.submit(task);
  }

  @Override
  public <T extends @Nullable Object> ListenableFuture<T> submitAsync(AsyncTask<T> task) {
    return delegate.submitAsync(task);
  }

  @Override
  public <I extends @Nullable Object, O extends @Nullable Object> ListenableFuture<List<O>> map(
      TaskFunction<? super I, ? extends O> function, Iterable<? extends I> inputs) {
    return delegate.map(function, inputs);
  }

  @Override
  public RunnerStats stats() {
    return delegate.stats();
  }

  @Override
  public ExecutorService asExecutorService() {
    return view;
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    TimeUnit.NANOSECONDS.sleep(timeout.toNanos());
    return false;
  }

  /** Does nothing: a shared runner lives as long as the JVM. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return delegate + " (shared, never closed)";
  }
}
