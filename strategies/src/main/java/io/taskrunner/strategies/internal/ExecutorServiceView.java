package io.taskrunner.strategies.internal;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import io.taskrunner.Task;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A runner seen as a {@link ListeningExecutorService}, honouring the whole {@link
 * java.util.concurrent.ExecutorService} contract: tasks go through the runner's admission control,
 * {@code invokeAll}/{@code invokeAny} cancel what they no longer need, and the lifecycle methods act
 * on the runner. Thread-safe.
 */
final class ExecutorServiceView implements ListeningExecutorService {
  private static final System.Logger LOG = System.getLogger(ExecutorServiceView.class.getName());

  private final AbstractTaskRunner runner;

  ExecutorServiceView(AbstractTaskRunner runner) {
    this.runner = runner;
  }

  /**
   * Runs {@code command}; a failure it throws is logged at WARNING with the runner's name, since
   * {@code execute} has no future to carry it.
   */
  @Override
  @SuppressWarnings("NullAway") // a Runnable's task yields null
  public void execute(Runnable command) {
    requireNonNull(command, "command");
    ListenableFuture<?> future = runner.submit(asTask(command, null));
    future.addListener(
        () -> {
          try {
            future.get();
          } catch (ExecutionException e) {
            LOG.log(
                Level.WARNING,
                () -> runner.describe("task " + command + " failed in execute()"),
                e.getCause());
          } catch (CancellationException | InterruptedException ignored) {
            // cancelled by shutdownNow: nothing to report
          }
        },
        MoreExecutors.directExecutor());
  }

  @Override
  public <T extends @Nullable Object> ListenableFuture<T> submit(Callable<T> task) {
    requireNonNull(task, "task");
    return runner.submit(task instanceof Task<?> ? castTask(task) : (Task<T>) task::call);
  }

  @Override
  @SuppressWarnings("NullAway") // a Runnable's task yields null
  public ListenableFuture<?> submit(Runnable task) {
    requireNonNull(task, "task");
    return runner.submit(asTask(task, null));
  }

  @Override
  public <T extends @Nullable Object> ListenableFuture<T> submit(Runnable task, T result) {
    requireNonNull(task, "task");
    return runner.submit(asTask(task, result));
  }

  private static <T extends @Nullable Object> Task<T> asTask(Runnable runnable, T result) {
    return () -> {
      runnable.run();
      return result;
    };
  }

  @SuppressWarnings("unchecked") // a Callable<T> that is also a Task is a Task<T>
  private static <T extends @Nullable Object> Task<T> castTask(Callable<T> task) {
    return (Task<T>) task;
  }

  @Override
  public <T extends @Nullable Object> List<Future<T>> invokeAll(
      Collection<? extends Callable<T>> tasks) throws InterruptedException {
    List<Future<T>> futures = submitAll(tasks);
    try {
      for (Future<T> future : futures) {
        awaitDone(future);
      }
    } catch (InterruptedException e) {
      cancelAll(futures);
      throw e;
    }
    return futures;
  }

  @Override
  public <T extends @Nullable Object> List<Future<T>> invokeAll(
      Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException {
    requireNonNull(unit, "unit");
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    List<Future<T>> futures = submitAll(tasks);
    try {
      for (Future<T> future : futures) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0 || !awaitDone(future, remaining)) {
          cancelAll(futures);
          break;
        }
      }
    } catch (InterruptedException e) {
      cancelAll(futures);
      throw e;
    }
    return futures;
  }

  @Override
  public <T extends @Nullable Object> T invokeAny(Collection<? extends Callable<T>> tasks)
      throws InterruptedException, ExecutionException {
    try {
      return doInvokeAny(tasks, Long.MAX_VALUE);
    } catch (TimeoutException e) {
      throw new AssertionError("no deadline, no timeout", e);
    }
  }

  @Override
  public <T extends @Nullable Object> T invokeAny(
      Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    requireNonNull(unit, "unit");
    return doInvokeAny(tasks, unit.toNanos(timeout));
  }

  private <T extends @Nullable Object> T doInvokeAny(
      Collection<? extends Callable<T>> tasks, long timeoutNanos)
      throws InterruptedException, ExecutionException, TimeoutException {
    requireNonNull(tasks, "tasks");
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("invokeAny needs at least one task");
    }
    long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    LinkedBlockingQueue<ListenableFuture<T>> done = new LinkedBlockingQueue<>();
    List<ListenableFuture<T>> futures = new ArrayList<>(tasks.size());
    try {
      for (Callable<T> task : tasks) {
        ListenableFuture<T> future = submit(requireNonNull(task, "task"));
        futures.add(future);
        future.addListener(() -> done.add(future), MoreExecutors.directExecutor());
      }
      ExecutionException last = null;
      for (int finished = 0; finished < futures.size(); finished++) {
        ListenableFuture<T> next;
        if (deadline == Long.MAX_VALUE) {
          next = done.take();
        } else {
          next = done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (next == null) {
            throw new TimeoutException(
                runner.describe("invokeAny: no task succeeded within the timeout"));
          }
        }
        try {
          return next.get();
        } catch (ExecutionException e) {
          last = e;
        } catch (CancellationException e) {
          last = new ExecutionException(e);
        }
      }
      throw requireNonNull(last);
    } finally {
      cancelAll(futures);
    }
  }

  private <T extends @Nullable Object> List<Future<T>> submitAll(
      Collection<? extends Callable<T>> tasks) {
    requireNonNull(tasks, "tasks");
    List<Future<T>> futures = new ArrayList<>(tasks.size());
    try {
      for (Callable<T> task : tasks) {
        futures.add(submit(requireNonNull(task, "task")));
      }
    } catch (RuntimeException e) {
      cancelAll(futures);
      throw e;
    }
    return futures;
  }

  private static void cancelAll(List<? extends Future<?>> futures) {
    for (Future<?> future : futures) {
      future.cancel(true);
    }
  }

  private static void awaitDone(Future<?> future) throws InterruptedException {
    try {
      future.get();
    } catch (ExecutionException | CancellationException ignored) {
      // invokeAll reports outcomes through the futures
    }
  }

  private static boolean awaitDone(Future<?> future, long nanos) throws InterruptedException {
    try {
      future.get(nanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (ExecutionException | CancellationException ignored) {
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }

  @Override
  public void shutdown() {
    runner.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return runner.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return runner.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return runner.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    requireNonNull(unit, "unit");
    return runner.awaitTermination(Duration.ofNanos(unit.toNanos(timeout)));
  }

  @Override
  public void close() {
    runner.close();
  }

  @Override
  public String toString() {
    return "ExecutorService view of " + runner;
  }
}
