package io.taskrunner.strategies.internal;

import io.taskrunner.RunnerStats;
import io.taskrunner.Strategy;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A runner's counters and sampled timings.
 *
 * <p>Concurrency: every counter only grows. Each task moves through the counters in one order,
 * each step happening-before the next: {@code submitted}, then exactly one of {@code started} or
 * {@code abandoned} (cancelled before it started), then one of {@code completed}, {@code failed}
 * or {@code cancelled}. {@link #snapshot} reads them in the reverse order, so whatever it sees of a
 * later step it also sees of the earlier ones: the derived {@code queued} and {@code running} are
 * never negative, without a lock on the hot path. {@code StatsSnapshotStress} in jcstress-tests
 * checks this.
 *
 * <p>Timings: a task is timed when {@link #shouldSample} says so (one task in {@value
 * #SAMPLE_EVERY} on average, and every task while JFR records task events), because two clock
 * reads per task cost more than the rest of the bookkeeping together.
 */
public final class StatsRecorder {
  static final int SAMPLE_EVERY = 8;

  private final String runner;
  private final Strategy strategy;
  private final LongAdder submitted = new LongAdder();
  private final LongAdder started = new LongAdder();
  private final LongAdder abandoned = new LongAdder();
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder timedOut = new LongAdder();
  private final LongAdder stalled = new LongAdder();
  private final LogHistogram queueWait = new LogHistogram();
  private final LogHistogram runTime = new LogHistogram();

  public StatsRecorder(String runner, Strategy strategy) {
    this.runner = runner;
    this.strategy = strategy;
  }

  /** Whether to time the task being submitted. */
  public static boolean shouldSample() {
    return ThreadLocalRandom.current().nextInt(SAMPLE_EVERY) == 0 || TaskEvent.enabled();
  }

  public void submitted() {
    submitted.increment();
  }

  /** A running task was reported as stalled. */
  public void stalled() {
    stalled.increment();
  }

  public void rejected() {
    rejected.increment();
  }

  /** The task left the queue to run; {@code waitNanos} is negative if it was not sampled. */
  public void started(long waitNanos) {
    started.increment();
    if (waitNanos >= 0) {
      queueWait.record(waitNanos);
    }
  }

  /** The task was cancelled before it started. */
  public void abandoned() {
    abandoned.increment();
  }

  /** The task's future completed; {@code runNanos} is negative if it was not sampled. */
  public void done(Outcome outcome, long runNanos) {
    switch (outcome) {
      case COMPLETED -> completed.increment();
      case FAILED -> failed.increment();
      case TIMED_OUT -> {
        // failed first: snapshot reads timedOut first, so it never shows timedOut > failed
        failed.increment();
        timedOut.increment();
      }
      case CANCELLED -> cancelled.increment();
      default -> throw new IllegalStateException("unknown outcome " + outcome);
    }
    if (runNanos >= 0) {
      runTime.record(runNanos);
    }
  }

  /** A consistent snapshot without per-key figures. */
  public RunnerStats snapshot() {
    return snapshot(List.of());
  }

  /** A consistent snapshot; see the class comment for why the reads come in this order. */
  public RunnerStats snapshot(List<RunnerStats.KeyStats> keys) {
    long timedOutNow = timedOut.sum();
    long cancelledNow = cancelled.sum();
    long failedNow = failed.sum();
    long completedNow = completed.sum();
    long abandonedNow = abandoned.sum();
    long startedNow = started.sum();
    long submittedNow = submitted.sum();
    long rejectedNow = rejected.sum();
    long done = completedNow + failedNow + cancelledNow;
    long queued = submittedNow - startedNow - abandonedNow;
    long running = startedNow + abandonedNow - done;
    return new RunnerStats(
        runner,
        strategy,
        submittedNow,
        queued,
        running,
        completedNow,
        failedNow,
        cancelledNow,
        rejectedNow,
        timedOutNow,
        stalled.sum(),
        queueWait.summary(),
        runTime.summary(),
        keys);
  }

  /** How a task's future completed. */
  public enum Outcome {
    COMPLETED("completed"),
    FAILED("failed"),
    TIMED_OUT("timed-out"),
    CANCELLED("cancelled");

    final String label;

    Outcome(String label) {
      this.label = label;
    }
  }
}
