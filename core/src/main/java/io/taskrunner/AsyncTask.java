package io.taskrunner;

import java.io.Serializable;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * A task that starts asynchronous work and returns a stage that completes later, without holding a
 * thread while it waits. Submitted with {@link TaskRunner#submitAsync}.
 *
 * <p>{@link #start} runs on a runner thread (on the event loop for the event-loop strategy) and
 * must not block: it should only start work, for example with {@link TaskContext#sleep} or a
 * non-blocking client, and return at once. The task's future completes when the returned stage
 * completes.
 *
 * @param <T> the result type, which may be nullable
 */
@FunctionalInterface
public interface AsyncTask<T extends @Nullable Object> extends Serializable {

  /**
   * Starts the work.
   *
   * @param context helpers bound to the runner that runs this task
   * @return a stage that completes with the task's result; if the task's future is cancelled the
   *     runner cancels {@code toCompletableFuture()} of this stage
   * @throws Exception a failure to start, which fails the task's future
   */
  CompletionStage<T> start(TaskContext context) throws Exception;
}
