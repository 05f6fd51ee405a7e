package io.taskrunner.strategies.internal;

import io.taskrunner.AsyncTask;
import io.taskrunner.TaskContext;
import io.taskrunner.internal.StageFailures;
import io.taskrunner.strategies.internal.StatsRecorder.Outcome;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * An {@link AsyncTask}: its code starts the work and returns a stage; the future completes with
 * the stage. If the future completes first (cancelled, timed out), the stage is cancelled.
 */
final class AsyncTaskFuture<T extends @Nullable Object> extends TaskFuture<T>
    implements TaskContextOwner {
  private final AsyncTask<T> task;
  private volatile @Nullable CompletionStage<T> stage;

  AsyncTaskFuture(AbstractTaskRunner runner, AsyncTask<T> task) {
    super(runner);
    this.task = task;
  }

  @Override
  protected void runBody() throws Exception {
    TaskContext context = runner.contextFor(this);
    CompletionStage<T> started = task.start(context);
    if (started == null) {
      throw new NullPointerException("AsyncTask.start returned null: " + task);
    }
    stage = started;
    started.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            complete(value);
          } else {
            Throwable cause = StageFailures.unwrap(failure);
            if (cause instanceof CancellationException) {
              cancel(false);
            } else {
              fail(cause, Outcome.FAILED);
            }
          }
        });
    if (isDone()) {
      cancelStage(started);
    }
  }

  @Override
  protected void onFinished() {
    CompletionStage<T> started = stage;
    if (started != null) {
      cancelStage(started); // a no-op when the stage itself completed the future
    }
  }

  @Override
  public boolean contextCancelled() {
    return isDone();
  }

  private static void cancelStage(CompletionStage<?> started) {
    try {
      started.toCompletableFuture().cancel(true);
    } catch (UnsupportedOperationException ignored) {
      // a stage without a CompletableFuture view cannot be cancelled
    }
  }

  @Override
  protected @Nullable String pendingToString() {
    return super.pendingToString()
        + (stage == null ? ", not started" : ", waiting for its stage")
        + ", task="
        + task;
  }
}
