package io.taskrunner.strategies.loop;

import io.taskrunner.strategies.BlockedLoopException;
import io.taskrunner.strategies.internal.Timeouts;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Watches one loop for tasks that hold it past a threshold, on a JVM-wide daemon thread ({@code
 * taskrunner-loop-watchdog}) shared by every loop.
 *
 * <p>How: every quarter threshold, the check reads the loop's heartbeat ({@code tick}, bumped before
 * each task and timer). If the loop is awake and the tick has not moved since the check that first
 * saw it, for at least the threshold, the loop is blocked: the loop thread's stack is taken and
 * reported once, until the tick moves or the loop sleeps. The loop pays one ordered store per task;
 * the report comes between one and one and a quarter thresholds after the block began.
 *
 * <p>Limits: it sees that the loop thread made no progress, not why. A long GC pause or a loop
 * thread starved of CPU by an overloaded machine is reported too; the stack then shows an innocent
 * frame.
 *
 * <p>Concurrency: the check's fields belong to the watchdog thread; it reads the loop's fields with
 * opaque or volatile loads only.
 */
final class Watchdog implements Runnable {
  private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());
  private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Its own thread, not the timeout timer's: taking a stack for a report can take a while. */
  private static final class Holder {
    static final ScheduledThreadPoolExecutor TIMER =
        Timeouts.newDaemonScheduler("taskrunner-loop-watchdog");
  }

  private final EventLoop loop;
  private final String runnerName;
  private final long thresholdNanos;
  private final Runnable onReport;
  private final Consumer<? super BlockedLoopException> listener;
  private long lastTick = -1; // watchdog thread only
  private long since; // watchdog thread only
  private boolean reported; // watchdog thread only

  private Watchdog(
      EventLoop loop,
      String runnerName,
      long thresholdNanos,
      Runnable onReport,
      Consumer<? super BlockedLoopException> listener) {
    this.loop = loop;
    this.runnerName = runnerName;
    this.thresholdNanos = thresholdNanos;
    this.onReport = onReport;
    this.listener = listener;
  }

  /** Starts watching {@code loop}; cancel the returned future to stop. */
  static ScheduledFuture<?> watch(
      EventLoop loop,
      String runnerName,
      Duration threshold,
      Runnable onReport,
      Consumer<? super BlockedLoopException> listener) {
    long nanos = threshold.toNanos();
    long period = Math.max(MIN_PERIOD_NANOS, nanos / 4);
    return Holder.TIMER.scheduleAtFixedRate(
        new Watchdog(loop, runnerName, nanos, onReport, listener),
        period,
        period,
        TimeUnit.NANOSECONDS);
  }

  @Override
  public void run() {
    try {
      check(System.nanoTime());
    } catch (RuntimeException | Error e) {
      // A failing check must not cancel the periodic task and leave the loop unwatched.
      LOG.log(Level.ERROR, "blocked-loop check failed for " + loop.name(), e);
    }
  }

  private void check(long now) {
    long tick = loop.tickOpaque();
    if (loop.isSleeping()
        || loop.stateAcquire() != EventLoop.ST_STARTED
        || loop.currentOpaque() == null // starting: no task has run yet
        || tick != lastTick) {
      lastTick = tick;
      since = now;
      reported = false;
      return;
    }
    if (reported || now - since < thresholdNanos) {
      return;
    }
    StackTraceElement[] stack = loop.thread().getStackTrace();
    if (loop.tickOpaque() != tick || loop.isSleeping()) {
      return; // it moved on while we took the stack: that stack would blame the wrong code
    }
    reported = true;
    report(Duration.ofNanos(now - since), stack);
  }

  private void report(Duration blockedFor, StackTraceElement[] stack) {
    String task = describe(loop.currentOpaque());
    BlockedLoopException report =
        new BlockedLoopException(runnerName, loop.name(), blockedFor, task, stack);
    onReport.run();
    LOG.log(Level.WARNING, report.getMessage(), report);
    BlockedLoopEvent event = new BlockedLoopEvent();
    if (event.isEnabled()) {
      event.runner = runnerName;
      event.loopThread = loop.name();
      event.blockedFor = blockedFor.toNanos();
      event.task = task;
      StringBuilder text = new StringBuilder();
      for (StackTraceElement frame : stack) {
        text.append("at ").append(frame).append('\n');
      }
      event.loopStack = text.toString();
      event.commit();
    }
    try {
      listener.accept(report);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "blocked-loop listener of runner '" + runnerName + "' threw", e);
    }
  }

  private static String describe(@Nullable Object task) {
    if (task == null) {
      return "an unknown task";
    }
    try {
      return "task " + task;
    } catch (RuntimeException e) {
      return "a task of " + task.getClass().getName();
    }
  }
}
