package io.taskrunner;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/** A task under an explicit key: see {@link Task#keyed}. Immutable. */
record KeyedTask<T extends @Nullable Object>(String key, Task<T> task) implements Task<T> {
  private static final long serialVersionUID = 1L;

  KeyedTask {
    requireNonNull(key, "key");
    requireNonNull(task, "task");
    if (key.isBlank()) {
      throw new IllegalArgumentException("key must not be blank");
    }
  }

  @Override
  public T call() throws Exception {
    return task.call();
  }
}
