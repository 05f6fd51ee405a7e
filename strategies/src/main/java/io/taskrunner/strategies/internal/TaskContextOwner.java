package io.taskrunner.strategies.internal;

/** What a {@link io.taskrunner.TaskContext} needs to know of the task it serves. */
public interface TaskContextOwner {
  /** Whether the task's future is done, so its work may stop. */
  boolean contextCancelled();
}
