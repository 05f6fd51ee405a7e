package io.taskrunner.strategies.loop;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import org.jspecify.annotations.Nullable;

/**
 * A loop timer and its future at once: completes with {@code null} on the loop thread at its
 * deadline, unless cancelled first.
 *
 * <p>Concurrency: firing ({@code complete(null)} on the loop) and cancelling ({@link #cancel} on any
 * thread) race on the future's own result, so exactly one of them wins. A cancelled timer is removed
 * from the loop's heap at once if cancelled on the loop, else by a removal handed to the loop, so
 * its memory is freed long before its deadline. {@link #heapIndex} and {@link #owner} belong to the
 * loop thread.
 */
final class SleepFuture extends LoopFuture<@Nullable Void> {
  final long deadline;

  /** Tie-breaker among equal deadlines: the order the loop added them. Loop thread only. */
  long sequence;

  /** Index in the loop's {@link TimerHeap}, or -1 when not in it. Loop thread only. */
  int heapIndex = -1;

  /** The task context that created it, which cancels it when its task ends. Loop thread only. */
  @Nullable LoopContext owner;

  /** Links in the owner's list of pending timers (intrusive: no node per timer). Loop only. */
  @Nullable SleepFuture prevOwned;

  @Nullable SleepFuture nextOwned;

  SleepFuture(EventLoop loop, long deadline) {
    super(loop);
    this.deadline = deadline;
  }

  /** Completes the sleep; called by the loop at the deadline. */
  void fire() {
    boolean unused = complete(null);
  }

  boolean firesBefore(SleepFuture other) {
    long d = deadline - other.deadline;
    return d < 0 || (d == 0 && sequence < other.sequence);
  }

  /**
   * Cancels the timer: the future completes with a {@link java.util.concurrent.CancellationException}
   * and the timer leaves the loop's heap. {@code false} if it already fired or was cancelled.
   */
  @Override
  @CanIgnoreReturnValue
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (cancelled) {
      loop.timerCancelled(this);
    }
    return cancelled;
  }

  @Override
  public String toString() {
    return super.toString()
        + "[timer due in "
        + Math.max(0, deadline - System.nanoTime()) / 1_000
        + " µs on "
        + loop.name()
        + "]";
  }
}
