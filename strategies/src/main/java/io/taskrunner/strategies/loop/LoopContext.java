package io.taskrunner.strategies.loop;

import static java.util.Objects.requireNonNull;

import io.taskrunner.TaskContext;
import io.taskrunner.internal.Checks;
import io.taskrunner.strategies.internal.TaskContextOwner;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The {@link TaskContext} of one async task on a loop: its sleeps are loop timers that complete on
 * the loop thread, and its executor is the loop.
 *
 * <p>The context tracks the timers its task started; when the task's future completes (result,
 * failure, cancellation, timeout), {@link #release} cancels those still pending, so a cancelled task
 * leaves no timer behind. The timer set belongs to the loop thread; {@link #sleep} may be called
 * from any thread (the loop adds the timer).
 */
final class LoopContext implements TaskContext {
  private final EventLoop loop;
  private final String runnerName;
  private final TaskContextOwner owner;
  private @Nullable SleepFuture timers; // head of the intrusive list of pending timers; loop only
  private boolean released; // loop thread only

  LoopContext(EventLoop loop, String runnerName, TaskContextOwner owner) {
    this.loop = loop;
    this.runnerName = runnerName;
    this.owner = owner;
  }

  EventLoop loop() {
    return loop;
  }

  /**
   * {@inheritDoc}
   *
   * <p>On the loop: the stage is a loop timer, completed on the loop thread; cancelling it (or the
   * task) removes the timer at once. Its {@code *Async} methods without an executor run on the loop.
   */
  @Override
  public CompletionStage<@Nullable Void> sleep(Duration delay) {
    requireNonNull(delay, "delay");
    Checks.requireNonNegative(delay, "delay");
    if (owner.contextCancelled()) {
      LoopFuture<@Nullable Void> cancelled = new LoopFuture<>(loop);
      cancelled.completeExceptionally(new CancellationException("the task has ended"));
      return cancelled;
    }
    return loop.sleep(saturatedNanos(delay), this);
  }

  private static long saturatedNanos(Duration delay) {
    try {
      return delay.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2; // centuries: never fires, but keeps deadline arithmetic safe
    }
  }

  @Override
  public Executor executor() {
    return loop;
  }

  @Override
  public String runnerName() {
    return runnerName;
  }

  @Override
  public boolean isCancelled() {
    return owner.contextCancelled();
  }

  /** Records a timer of this task; {@code false} if the task has ended. Loop thread only. */
  boolean track(SleepFuture timer) {
    assert loop.inEventLoop();
    if (released) {
      return false;
    }
    SleepFuture head = timers;
    timer.prevOwned = null;
    timer.nextOwned = head;
    if (head != null) {
      head.prevOwned = timer;
    }
    timers = timer;
    return true;
  }

  /** Forgets a timer that fired or was cancelled. Loop thread only. */
  void untrack(SleepFuture timer) {
    assert loop.inEventLoop() || loop.stateAcquire() == EventLoop.ST_TERMINATED;
    SleepFuture prev = timer.prevOwned;
    SleepFuture next = timer.nextOwned;
    if (prev != null) {
      prev.nextOwned = next;
    } else if (timers == timer) {
      timers = next;
    }
    if (next != null) {
      next.prevOwned = prev;
    }
    timer.prevOwned = null;
    timer.nextOwned = null;
  }

  /**
   * The task ended: cancels its pending timers. Loop thread only (or any thread once the loop has
   * stopped, when nothing else touches the set).
   */
  void release() {
    assert loop.inEventLoop() || loop.stateAcquire() == EventLoop.ST_TERMINATED;
    released = true;
    for (SleepFuture timer = timers; timer != null; timer = timers) {
      timers = timer.nextOwned;
      timer.owner = null; // so that the cancellation below does not untrack it again
      timer.prevOwned = null;
      timer.nextOwned = null;
      timer.cancel(false);
    }
  }
}
