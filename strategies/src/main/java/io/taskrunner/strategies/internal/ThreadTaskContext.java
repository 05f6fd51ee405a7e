package io.taskrunner.strategies.internal;

import static java.util.Objects.requireNonNull;

import io.taskrunner.TaskContext;
import io.taskrunner.internal.Checks;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * The {@link TaskContext} of the thread-based runners: sleeps on the shared timer and completes on
 * the runner's threads. Thread-safe.
 */
final class ThreadTaskContext implements TaskContext {
  private final AbstractTaskRunner runner;
  private final TaskContextOwner owner;

  ThreadTaskContext(AbstractTaskRunner runner, TaskContextOwner owner) {
    this.runner = runner;
    this.owner = owner;
  }

  @Override
  public CompletionStage<@Nullable Void> sleep(Duration delay) {
    requireNonNull(delay, "delay");
    Checks.requireNonNegative(delay, "delay");
    CompletableFuture<@Nullable Void> done = new CompletableFuture<>();
    Executor executor = runner.continuationExecutor();
    ScheduledFuture<?> timer =
        Timeouts.schedule(() -> executor.execute(() -> done.complete(null)), delay.toNanos());
    done.whenComplete(
        (v, e) -> {
          if (done.isCancelled()) {
            timer.cancel(false);
          }
        });
    return done;
  }

  @Override
  public Executor executor() {
    return runner.continuationExecutor();
  }

  @Override
  public String runnerName() {
    return runner.name();
  }

  @Override
  public boolean isCancelled() {
    return owner.contextCancelled();
  }
}
