package io.taskrunner;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import io.taskrunner.internal.StageFailures;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Adapters between the {@link ListenableFuture}s that runners return and {@link
 * CompletableFuture}/{@link CompletionStage}.
 *
 * <p>Cancellation propagates both ways: cancelling the adapted future cancels the source, with
 * interruption (so a running task is stopped, as {@code cancel(true)} on the source would), and a
 * cancelled source cancels the adapted future.
 */
public final class CompletableFutures {
  private CompletableFutures() {}

  /**
   * Returns a {@link CompletableFuture} that completes when {@code future} does, with the same
   * result, the same failure (not wrapped), or cancelled. The adapter's dependent stages run on the
   * thread that completes {@code future} unless an {@code *Async} method names an executor.
   */
  public static <T extends @Nullable Object> CompletableFuture<T> toCompletableFuture(
      ListenableFuture<T> future) {
    requireNonNull(future, "future");
    CompletableFuture<T> adapted =
        new CompletableFuture<T>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            // CompletableFuture ignores the flag; a taskrunner future should stop its task.
            future.cancel(true);
            return cancelled;
          }
        };
    Futures.addCallback(
        future,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T result) {
            adapted.complete(result);
          }

          @Override
          public void onFailure(Throwable t) {
            if (t instanceof CancellationException) {
              adapted.cancel(false);
            } else {
              adapted.completeExceptionally(t);
            }
          }
        },
        MoreExecutors.directExecutor());
    return adapted;
  }

  /**
   * Returns a {@link ListenableFuture} that completes when {@code stage} does. A {@link
   * CompletionException} from the stage is unwrapped. Cancelling the returned future cancels {@code
   * stage.toCompletableFuture()}, where the stage supports it.
   */
  public static <T extends @Nullable Object> ListenableFuture<T> toListenableFuture(
      CompletionStage<T> stage) {
    requireNonNull(stage, "stage");
    SettableFuture<T> adapted = SettableFuture.create();
    stage.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            adapted.set(value);
          } else {
            Throwable cause = StageFailures.unwrap(failure);
            if (cause instanceof CancellationException) {
              adapted.cancel(false);
            } else {
              adapted.setException(cause);
            }
          }
        });
    adapted.addListener(
        () -> {
          if (adapted.isCancelled()) {
            try {
              stage.toCompletableFuture().cancel(true);
            } catch (UnsupportedOperationException ignored) {
              // a stage without a CompletableFuture view cannot be cancelled
            }
          }
        },
        MoreExecutors.directExecutor());
    return adapted;
  }
}
