package io.taskrunner;

import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/**
 * A unit of work that returns a value or throws: the taskrunner counterpart of {@link
 * java.util.concurrent.Callable}.
 *
 * <p>A task is {@link Serializable} so that the same lambda can run in a worker process: a lambda
 * whose target type is {@code Task} is serializable when everything it captures is. Runners that
 * execute in-process never serialize a task, so capturing non-serializable state is fine there; the
 * process pool rejects such a task when it is submitted, naming the culprit.
 *
 * @param <T> the result type, which may be nullable
 */
@FunctionalInterface
public interface Task<T extends @Nullable Object> extends Serializable {

  /**
   * Runs the task.
   *
   * <p>A task that is cancelled with {@code cancel(true)}, or that outlives its {@linkplain
   * Workload#taskTimeout(java.time.Duration) timeout}, is interrupted: long-running code should
   * respond to {@link Thread#interrupted()} or to {@link InterruptedException} from the blocking
   * calls it makes.
   *
   * @return the result, which completes the task's future
   * @throws Exception any failure, which fails the task's future with this exception as its cause
   */
  T call() throws Exception;

  /**
   * The key under which runners measure this task (CPU time against wall time) and, for {@link
   * Workload#unknown()}, route it. By default the task's class: one key per lambda or method
   * reference in the source. Give tasks that behave alike a shared key with {@link #keyed}.
   */
  default String key() {
    return getClass().getName();
  }

  /**
   * Returns {@code task} under an explicit {@link #key()}.
   *
   * @throws IllegalArgumentException if {@code key} is blank
   */
  static <T extends @Nullable Object> Task<T> keyed(String key, Task<T> task) {
    return new KeyedTask<>(key, task);
  }
}
