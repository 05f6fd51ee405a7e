package io.taskrunner.strategies.internal;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.taskrunner.strategies.internal.StatsRecorder.Outcome;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A task's future and the {@link Runnable} that runs its code on a runner thread.
 *
 * <p>Concurrency: three parties race over a task — the thread that runs it, cancellers ({@code
 * cancel}, {@code shutdownNow}) and the timeout timer. The future's own value (from {@link
 * OneShotFuture}) decides the outcome: whoever completes it first wins, and only the winner runs
 * {@link #finished}, so every future completes and is counted exactly once. A second field, {@code
 * state}, says where the code is, so that an interrupt reaches the thread only while it runs this
 * task, never the next task on that thread:
 *
 * <ul>
 *   <li>{@code null} (NEW) — accepted, not started;
 *   <li>{@code STARTING} — a thread claimed it and is counting it as started; a canceller waits
 *       for it to end before deciding whether there is a thread to interrupt;
 *   <li>a {@link Thread} — that thread runs the code;
 *   <li>{@code INTERRUPTING} — a canceller is interrupting that thread;
 *   <li>{@code INTERRUPTED} — the interrupt was delivered; the thread clears it when the code
 *       returns;
 *   <li>{@code FINISHED} — the code returned or threw;
 *   <li>{@code ABANDONED} — the future completed before the code started; it never will.
 * </ul>
 *
 * <p>Admission slot: the task holds one until both its code has returned (or was abandoned) and its
 * future is done, whichever comes last; {@code parties} counts those two events. So {@code
 * close()} waits for a cancelled task's code to return, and an async task's slot lasts until its
 * stage completes.
 *
 * <p>Shutdown: a task that starts after {@code shutdownNow} cancels itself instead of running.
 * Failure: anything the code throws, {@link Error}s included, fails the future; nothing escapes to
 * the runner thread.
 *
 * <p>Cost: the common path (run on a pool thread, completed there, nobody waiting) takes three
 * atomic instructions or fences: the claim of {@code state}, the future's completion and the fence
 * of the slot's release. Everything else is plain or release stores to lines the thread owns.
 */
public abstract class TaskFuture<T extends @Nullable Object> extends OneShotFuture<T>
    implements Runnable {

  private static final Marker STARTING = new Marker("STARTING");
  private static final Marker INTERRUPTING = new Marker("INTERRUPTING");
  private static final Marker INTERRUPTED = new Marker("INTERRUPTED");
  private static final Marker FINISHED = new Marker("FINISHED");
  private static final Marker ABANDONED = new Marker("ABANDONED");

  private static final VarHandle STATE;
  private static final VarHandle PARTIES;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE = lookup.findVarHandle(TaskFuture.class, "state", Object.class);
      PARTIES = lookup.findVarHandle(TaskFuture.class, "parties", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  protected final AbstractTaskRunner runner;

  /**
   * The task's clock readings if it is timed for the statistics ({@link StatsRecorder#shouldSample},
   * one task in 64 on a busy runner), else {@code null}: a field of its own would make every task
   * 16 bytes bigger for the few that are timed.
   */
  private final @Nullable Timing timing;

  private boolean profiled; // set before dispatch, read by the running thread

  // Both start at their default value, so that creating a task costs no volatile store (two full
  // fences on the submitting thread's hot path); a task is published to the runner thread through
  // the strategy's queue, which orders its construction before its run.

  /** NEW ({@code null}), STARTING, the running thread, INTERRUPTING, ... (see the class doc). */
  @SuppressWarnings("UnusedVariable") // accessed through STATE
  private volatile @Nullable Object state;

  /** How many of the two events that free the admission slot have happened (see class doc). */
  @SuppressWarnings("UnusedVariable") // accessed through PARTIES
  private volatile int parties;

  private volatile @Nullable ScheduledFuture<?> timer;

  /**
   * Whether the thread running the code also completed the future, during {@link #runBody}.
   * Written and read by that thread only. Then no canceller or timer can be interrupting it (they
   * interrupt only after winning the future), and both events that free the slot happened on one
   * thread, so {@link #run} finishes without the CAS and the two atomic counts of the general case.
   */
  private boolean completedHere;

  /** The running thread's stats cell, or {@code null}; written and read by that thread only. */
  private StatsRecorder.@Nullable Cell runnerCell;

  /**
   * The next task in the {@link TaskQueue} holding this one, or this task itself once it left the
   * queue; accessed through {@code TaskQueue.NEXT}. A field of the task, so that queueing it
   * allocates nothing.
   */
  @SuppressWarnings("UnusedVariable") // accessed through TaskQueue's VarHandle
  volatile @Nullable TaskFuture<?> queueNext;

  protected TaskFuture(AbstractTaskRunner runner) {
    this.runner = runner;
    this.timing = runner.stats.shouldSample() ? new Timing(System.nanoTime()) : null;
  }

  /** A placeholder that is never run or counted: a {@link TaskQueue}'s stub node. */
  TaskFuture(AbstractTaskRunner runner, boolean placeholder) {
    this.runner = runner;
    this.timing = null;
  }

  /** Runs the task's code; completes the future through {@link #complete} or {@link #fail}. */
  protected abstract void runBody() throws Exception;

  /** The task's key, under which it is measured and routed (see {@link io.taskrunner.Task#key}). */
  public String key() {
    return getClass().getName();
  }

  /**
   * Whether measuring this task's code says something about its key: true for a plain task, false
   * for an async task, whose code only starts work.
   */
  public boolean isMeasurable() {
    return false;
  }

  /** Whether this task's CPU and wall time are measured when it runs. */
  public final boolean isProfiled() {
    return profiled;
  }

  final void setProfiled(boolean profiled) {
    this.profiled = profiled;
  }

  /** Called once, by whoever completed the future, before the outcome is counted. */
  protected void onFinished() {}

  @Override
  public final void run() {
    // A CAS: it decides the race with a canceller abandoning the task and orders this claim
    // before the read of isDone(); as a full fence (HotSpot's CAS is one) it also orders the
    // runner thread's earlier publication of the task (for shutdownNow) before isStopping().
    if (!STATE.compareAndSet(this, null, STARTING)) {
      return; // abandoned, or run twice
    }
    Timing timed = timing;
    long waitNanos = -1L;
    if (timed != null) {
      timed.startNanos = System.nanoTime();
      waitNanos = timed.startNanos - timed.submitNanos;
    }
    StatsRecorder.Cell cell = runner.stats.ownCell();
    runnerCell = cell;
    runner.stats.started(cell, waitNanos);
    Thread me = Thread.currentThread();
    // A release store is enough: a canceller that saw STARTING waits for it before it decides
    // whether to interrupt (see interruptRunner), so no interrupt is lost for want of a fence.
    STATE.setRelease(this, me);
    long cpuBefore = profiled ? KeyProfiler.currentThreadCpuNanos() : -1L;
    long wallBefore = cpuBefore >= 0 ? System.nanoTime() : 0L;
    try {
      if (runner.isStopping()) {
        cancel(false); // shutdownNow came first, but its drain missed this task
      } else if (!isDone()) {
        armTimeout();
        runBody();
      }
    } catch (Throwable t) {
      fail(t, Outcome.FAILED);
    } finally {
      if (cpuBefore >= 0) {
        try {
          long cpuAfter = KeyProfiler.currentThreadCpuNanos();
          runner.onProfiled(this, cpuAfter - cpuBefore, System.nanoTime() - wallBefore);
        } catch (RuntimeException e) {
          // measuring must never cost a task its slot
        }
      }
      if (completedHere) {
        STATE.setRelease(this, FINISHED);
        runner.releaseSlot(cell);
      } else {
        if (!STATE.compareAndSet(this, me, FINISHED)) {
          // A canceller is interrupting us: wait until it is done, then clear the interrupt so
          // that it cannot hit the next task this thread runs.
          awaitLeaving(INTERRUPTING);
          boolean unused = Thread.interrupted();
          state = FINISHED;
        }
        arrive();
      }
    }
  }

  /** Completes the future with a result; {@code false} if it was already done. */
  @CanIgnoreReturnValue
  protected final boolean complete(T value) {
    if (!set(value)) {
      return false;
    }
    finished(Outcome.COMPLETED);
    return true;
  }

  /** Fails the future; {@code false} if it was already done. */
  @CanIgnoreReturnValue
  protected final boolean fail(Throwable failure, Outcome outcome) {
    if (!setException(failure)) {
      return false;
    }
    finished(outcome);
    return true;
  }

  /**
   * Fails a task that its strategy could not start (no thread could be created, for example), so
   * that its future completes and its slot is freed instead of hanging.
   */
  public final void failToStart(Throwable cause) {
    fail(
        new RejectedExecutionException(runner.describe("could not start a task"), cause),
        Outcome.FAILED);
  }

  @CanIgnoreReturnValue
  @Override
  public final boolean cancel(boolean mayInterruptIfRunning) {
    if (!super.cancel(mayInterruptIfRunning)) {
      return false;
    }
    finished(Outcome.CANCELLED);
    return true;
  }

  /** Called by {@link OneShotFuture#cancel} with {@code true}, before {@link #finished}. */
  @Override
  protected final void interruptTask() {
    interruptRunner();
  }

  /** Whether the task's code has started (it may have finished since). */
  public final boolean hasStarted() {
    Object s = state;
    return s != null && s != ABANDONED;
  }

  private void interruptRunner() {
    // The runner thread is a few instructions away from publishing itself: wait for it, so that
    // a cancel arriving just as the code starts still interrupts it.
    awaitLeaving(STARTING);
    Object s = state;
    if (s instanceof Thread thread && STATE.compareAndSet(this, s, INTERRUPTING)) {
      try {
        thread.interrupt();
      } finally {
        state = INTERRUPTED;
      }
    }
  }

  private void armTimeout() {
    long nanos = runner.timeoutNanos;
    if (nanos > 0) {
      ScheduledFuture<?> scheduled = Timeouts.schedule(this::timeOut, nanos);
      timer = scheduled;
      if (isDone()) {
        scheduled.cancel(false);
      }
    }
  }

  private void timeOut() {
    TimeoutException failure =
        new TimeoutException(
            String.format(
                Locale.US,
                "task timed out after %s on runner '%s' (%s)",
                Duration.ofNanos(runner.timeoutNanos),
                runner.name(),
                runner.strategy()));
    if (fail(failure, Outcome.TIMED_OUT)) {
      interruptRunner();
    }
  }

  private void finished(Outcome outcome) {
    ScheduledFuture<?> scheduled = timer;
    if (scheduled != null) {
      scheduled.cancel(false);
    }
    // Read first: a started task (the common case) then skips a failing CAS, a full fence.
    if (state == null && STATE.compareAndSet(this, null, ABANDONED)) {
      runner.stats.abandoned();
      arrive();
    } else {
      // The code started: make sure its start is counted before its end is (see StatsRecorder).
      awaitLeaving(STARTING);
    }
    try {
      onFinished();
    } finally {
      Timing t = timing;
      long runNanos = t != null && hasStartTime() ? System.nanoTime() - t.startNanos : -1L;
      // The runner thread completing its own task counts in its cell; anyone else, in the adders.
      boolean here = state == Thread.currentThread();
      runner.stats.done(here ? runnerCell : null, outcome, runNanos);
      if (TaskEvent.enabled()) {
        commitEvent(outcome, runNanos);
      }
      if (here) {
        completedHere = true; // run() frees the slot when the code returns
      } else {
        arrive();
      }
    }
  }

  /** Waits out a transient state, which another thread leaves within a few instructions. */
  @SuppressWarnings("ThreadPriorityCheck") // yield only if the other thread was descheduled
  private void awaitLeaving(Marker transientState) {
    for (int spins = 0; state == transientState; spins++) {
      if (spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield(); // the other thread was descheduled mid-transition
      }
    }
  }

  private boolean hasStartTime() {
    Object s = state;
    return s != null && s != ABANDONED && s != STARTING;
  }

  private void commitEvent(Outcome outcome, long runNanos) {
    TaskEvent event = new TaskEvent();
    event.runner = runner.name();
    event.strategy = runner.strategy().name();
    Timing t = timing;
    event.queueWait = t != null && hasStartTime() ? t.startNanos - t.submitNanos : 0L;
    event.runTime = Math.max(0L, runNanos);
    event.outcome = outcome.label;
    event.commit();
  }

  private void arrive() {
    if ((int) PARTIES.getAndAdd(this, 1) == 1) { // the second of the two events
      runner.releaseSlot(null);
    }
  }

  @Override
  protected @Nullable String pendingToString() {
    Object s = state;
    String where =
        s instanceof Thread t
            ? "running on " + t.getName()
            : s == null ? "queued" : String.valueOf(s).toLowerCase(Locale.ROOT);
    return "runner=" + runner.name() + ", " + where;
  }

  /** The clock readings of a timed task. */
  private static final class Timing {
    final long submitNanos;
    long startNanos; // written by the running thread before state becomes that thread

    Timing(long submitNanos) {
      this.submitNanos = submitNanos;
    }
  }

  /** A state compared by identity. */
  private static final class Marker {
    private final String name;

    Marker(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
