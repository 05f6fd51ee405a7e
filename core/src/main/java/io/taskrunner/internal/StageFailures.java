package io.taskrunner.internal;

import java.util.concurrent.CompletionException;

/** How taskrunner reads the failure a {@code CompletionStage} hands to its callbacks. */
public final class StageFailures {
  private StageFailures() {}

  /**
   * The failure a stage's callback should report: the cause of a {@link CompletionException}
   * (dependent stages wrap their source's failure in one), otherwise the failure itself.
   */
  public static Throwable unwrap(Throwable failure) {
    Throwable cause = failure.getCause();
    return failure instanceof CompletionException && cause != null ? cause : failure;
  }
}
