package io.taskrunner;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link AsyncTask} gets to work with: non-blocking helpers bound to the runner running it.
 *
 * <p>Stages returned here complete on a thread of that runner (the loop thread for the event
 * loop), so continuations attached with {@code thenApply} and friends run there too.
 *
 * <p>Thread-safety: safe to use from any thread while the task's future is pending.
 */
public interface TaskContext {

  /**
   * Returns a stage that completes with {@code null} after {@code delay}, without blocking a
   * thread in the meantime.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  CompletionStage<@Nullable Void> sleep(Duration delay);

  /**
   * An executor that runs continuations on this runner, outside its admission control: work handed
   * to it belongs to the task that is running, not to a new task. Use it for {@code *Async}
   * continuations.
   */
  Executor executor();

  /** The name of the runner running the task. */
  String runnerName();

  /** Whether the task's future was cancelled or timed out, so that the work can stop early. */
  boolean isCancelled();
}
