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
 * <p>Timings: a task is timed when {@link #shouldSample} says so: each of a runner's first
 * {@value #SAMPLE_ALL_FIRST} tasks, then one task in {@value #SAMPLE_EVERY} on average, and every
 * task while JFR records task events. Timing every task would cost more than the rest of the
 * bookkeeping together (two clock reads and two histogram updates on shared counters); sampling
 * one in 8 still cost about 15 ns per task (a sixth of the CPU runner's overhead) in {@code
 * SubmitBenchmark}. Small runners keep exact figures; busy ones get thousands of samples a second.
 *
 * <p>Performance: the counters are written by different threads ({@code submitted} by submitters,
 * the others by runner threads), so each is a {@link PaddedAdder} whose hot fields do not share a
 * cache line with the next counter's.
 */
public final class StatsRecorder {
  static final int SAMPLE_ALL_FIRST = 1024;
  static final int SAMPLE_EVERY = 64;

  private final String runner;
  private final Strategy strategy;
  private final LongAdder submitted = new PaddedAdder();
  private final LongAdder started = new PaddedAdder();
  private final LongAdder abandoned = new PaddedAdder();
  private final LongAdder completed = new PaddedAdder();
  private final LongAdder failed = new PaddedAdder();
  private final LongAdder cancelled = new PaddedAdder();
  private final LongAdder rejected = new PaddedAdder();
  private final LongAdder timedOut = new PaddedAdder();
  private final LongAdder stalled = new LongAdder(); // rare: no padding needed
  private final LogHistogram queueWait = new LogHistogram();
  private final LogHistogram runTime = new LogHistogram();

  /**
   * How many tasks were sampled unconditionally, up to {@value #SAMPLE_ALL_FIRST}. Plain and racy on
   * purpose: a lost increment only samples a task more; once it reaches the limit it is only read,
   * so its cache line stays shared.
   */
  private int sampledFirst;

  public StatsRecorder(String runner, Strategy strategy) {
    this.runner = runner;
    this.strategy = strategy;
  }

  /** Whether to time the task being submitted. */
  public boolean shouldSample() {
    if (TaskEvent.enabled()) {
      return true;
    }
    int first = sampledFirst;
    if (first < SAMPLE_ALL_FIRST) {
      sampledFirst = first + 1;
      return true;
    }
    return ThreadLocalRandom.current().nextInt(SAMPLE_EVERY) == 0;
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

  /**
   * A {@link LongAdder} followed by 64 bytes of padding, so that two counters allocated one after
   * the other never share a cache line (a write to one would make every reader of the other miss).
   */
  @SuppressWarnings({"UnusedVariable", "serial"}) // padding; never serialized
  private static final class PaddedAdder extends LongAdder {
    long p01, p02, p03, p04, p05, p06, p07, p08;
  }
}
