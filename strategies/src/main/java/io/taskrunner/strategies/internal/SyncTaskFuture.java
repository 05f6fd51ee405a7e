package io.taskrunner.strategies.internal;

import io.taskrunner.Task;
import org.jspecify.annotations.Nullable;

/** A {@link Task} run on a runner thread; its future completes when the task returns. */
final class SyncTaskFuture<T extends @Nullable Object> extends TaskFuture<T> {
  private final Task<T> task;

  SyncTaskFuture(AbstractTaskRunner runner, Task<T> task) {
    super(runner);
    this.task = task;
  }

  @Override
  public boolean isMeasurable() {
    return true;
  }

  @Override
  public String key() {
    return task.key();
  }

  @Override
  protected void runBody() throws Exception {
    complete(task.call());
  }

  @Override
  protected @Nullable String pendingToString() {
    return super.pendingToString() + ", task=" + task;
  }
}
