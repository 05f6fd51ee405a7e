package io.taskrunner.strategies;

import java.time.Duration;
import java.util.Locale;

/**
 * Reports that a task held an event-loop thread past the blocked-loop threshold. Never thrown: the
 * watchdog logs it (at WARNING, through {@link System.Logger}), records a JFR event {@code
 * io.taskrunner.BlockedLoop}, counts it in {@link EventLoopRunner#blockedLoopCount()} and hands it
 * to the listener set with {@link EventLoopRunner.Builder#onBlockedLoop}.
 *
 * <p>Its {@linkplain #getStackTrace() stack trace} is the loop thread's stack when the block was
 * noticed, so it names the blocking call. Immutable once created; safe to share.
 */
public final class BlockedLoopException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String runnerName;
  private final String threadName;
  private final Duration blockedFor;

  /**
   * Creates a report; the event-loop runner's watchdog does, users have no need to.
   *
   * @param runnerName the runner whose loop was blocked
   * @param threadName the blocked loop thread
   * @param blockedFor how long the loop had been blocked when noticed
   * @param task a description of the task holding the loop
   * @param stack the loop thread's stack, which becomes this exception's stack trace
   */
  public BlockedLoopException(
      String runnerName,
      String threadName,
      Duration blockedFor,
      String task,
      StackTraceElement[] stack) {
    super(
        String.format(
            Locale.US,
            "event loop '%s' (runner '%s') has been blocked for at least %d ms by %s; the loop"
                + " thread's stack follows. Move blocking calls off the loop (Loops.runBlocking).",
            threadName,
            runnerName,
            blockedFor.toMillis(),
            task),
        null,
        false,
        true);
    this.runnerName = runnerName;
    this.threadName = threadName;
    this.blockedFor = blockedFor;
    setStackTrace(stack);
  }

  /** The name of the runner whose loop was blocked. */
  public String runnerName() {
    return runnerName;
  }

  /** The name of the blocked loop thread. */
  public String threadName() {
    return threadName;
  }

  /** How long the loop had been blocked when the watchdog noticed (a lower bound). */
  public Duration blockedFor() {
    return blockedFor;
  }
}
