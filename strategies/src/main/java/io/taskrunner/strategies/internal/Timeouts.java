package io.taskrunner.strategies.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The JVM-wide timer for task timeouts and {@code TaskContext.sleep} on the thread runners: one
 * daemon platform thread, started on first use. Timer actions must be quick: they only complete
 * futures, interrupt threads or hand work to a runner.
 */
public final class Timeouts {
  private Timeouts() {}

  private static final class Holder {
    static final ScheduledThreadPoolExecutor TIMER = newDaemonScheduler("taskrunner-timer");
  }

  /**
   * A one-thread scheduler on a daemon thread named {@code name} that forgets cancelled actions at
   * once: the shape of every JVM-wide timer in taskrunner.
   */
  public static ScheduledThreadPoolExecutor newDaemonScheduler(String name) {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  /** Runs {@code action} on the timer thread after {@code nanos}. */
  public static ScheduledFuture<?> schedule(Runnable action, long nanos) {
    return Holder.TIMER.schedule(action, nanos, TimeUnit.NANOSECONDS);
  }
}
