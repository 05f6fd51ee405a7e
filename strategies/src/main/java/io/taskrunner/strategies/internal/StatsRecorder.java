package io.taskrunner.strategies.internal;

import io.taskrunner.RunnerStats;
import io.taskrunner.Strategy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A runner's counters and sampled timings.
 *
 * <p>Concurrency: every counter only grows. Each task moves through the counters in one order,
 * each step happening-before the next: {@code submitted} (the runner's count of accepted tasks,
 * read through a {@link LongSupplier}, which must be read with acquire semantics), then exactly
 * one of {@code started} or {@code abandoned} (cancelled before it started), then one of {@code
 * completed}, {@code failed} or {@code cancelled}. {@link #snapshot} reads them in the reverse order, so whatever it sees of a
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
 * <p>Performance: {@code submitted} costs nothing here (the runner counts accepted tasks anyway);
 * the other counters are written by runner threads and cancellers, so each is a {@link
 * PaddedAdder} whose hot fields do not share a cache line with the next counter's. A pool thread
 * that owns a {@link Cell} ({@link CountingWorkerThread}) counts the two events of the common
 * path, started and completed, in its cell instead: one writer, so a plain increment published by
 * a release store, no atomic instruction.
 * {@link #snapshot} reads the cells with acquire loads, each counter's cells together with its
 * adder, so the reverse-order argument above holds unchanged. A cell outlives its thread: when
 * the thread ends it is handed to the next new runner thread, so counts are never lost and the
 * number of cells stays at the most threads the runner had at once.
 */
public final class StatsRecorder {
  static final int SAMPLE_ALL_FIRST = 1024;
  static final int SAMPLE_EVERY = 64; // a power of two

  private final String runner;
  private final Strategy strategy;
  private final LongSupplier submitted;
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
  private final List<Cell> cells = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Cell> freeCells = new ConcurrentLinkedQueue<>();
  private final SubmitterRandom random = new SubmitterRandom();

  /**
   * How many tasks were sampled unconditionally, up to {@value #SAMPLE_ALL_FIRST}. Plain and racy on
   * purpose: a lost increment only samples a task more; once it reaches the limit it is only read,
   * so its cache line stays shared.
   */
  private int sampledFirst;

  /**
   * A recorder for one runner.
   *
   * @param submitted the runner's count of tasks accepted so far, which it keeps for admission
   *     anyway; counted before the task can start
   */
  public StatsRecorder(String runner, Strategy strategy, LongSupplier submitted) {
    this.runner = runner;
    this.strategy = strategy;
    this.submitted = submitted;
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
    return (random.nextInt() & (SAMPLE_EVERY - 1)) == 0;
  }

  /** A running task was reported as stalled. */
  public void stalled() {
    stalled.increment();
  }

  public void rejected() {
    rejected.increment();
  }

  /**
   * The task left the queue to run; {@code waitNanos} is negative if it was not sampled. {@code
   * cell} is the calling thread's {@link #ownCell}, or {@code null}.
   */
  public void started(@Nullable Cell cell, long waitNanos) {
    if (cell != null) {
      cell.addStarted();
    } else {
      started.increment();
    }
    if (waitNanos >= 0) {
      queueWait.record(waitNanos);
    }
  }

  /** The task was cancelled before it started. */
  public void abandoned() {
    abandoned.increment();
  }

  /**
   * The task's future completed; {@code runNanos} is negative if it was not sampled. {@code cell}
   * is the calling thread's {@link #ownCell}, or {@code null}.
   */
  public void done(@Nullable Cell cell, Outcome outcome, long runNanos) {
    switch (outcome) {
      case COMPLETED -> {
        if (cell != null) {
          cell.addCompleted();
        } else {
          completed.increment();
        }
      }
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
    long completedNow = completed.sum() + sum(Cell.COMPLETED);
    long abandonedNow = abandoned.sum();
    long startedNow = started.sum() + sum(Cell.STARTED);
    long submittedNow = submitted.getAsLong();
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

  /**
   * The calling thread's cell for this recorder, if it has one. Looked up once per task by the
   * thread that runs it and passed to the counting methods (three uses per task).
   */
  @Nullable Cell ownCell() {
    // A class check and a field: cheaper than an interface check and call.
    if (Thread.currentThread() instanceof CountingWorkerThread thread) {
      Cell cell = thread.statsCell;
      if (cell != null && cell.recorder == this) {
        return cell;
      }
    }
    return null;
  }

  /** The admission slots given back by runner threads in their cells (see AbstractTaskRunner). */
  long releasedInCells() {
    return sum(Cell.RELEASED);
  }

  private long sum(VarHandle counter) {
    long sum = 0;
    for (Cell cell : cells) {
      sum += (long) counter.getAcquire(cell);
    }
    return sum;
  }

  /**
   * A cell for a new runner thread to count in: a retired one if there is, so that its counts
   * carry on. The thread must give it back with {@link #retireCell} when it ends.
   */
  public Cell newCell() {
    Cell cell = freeCells.poll();
    if (cell == null) {
      cell = new Cell(this);
      cells.add(cell);
    }
    return cell;
  }

  /**
   * Gives back the cell of a runner thread that is ending; its last counts happen-before the next
   * owner's first (the queue orders them).
   */
  public void retireCell(Cell cell) {
    freeCells.add(cell);
  }

  /**
   * A pool thread that counts its tasks in a {@link Cell} of its own, taken from its runner's
   * recorder when it starts and given back when it ends (so a thread that never starts takes
   * none).
   */
  public abstract static class CountingWorkerThread extends Thread {
    private final StatsRecorder recorder;

    /** Written and read by this thread only. */
    private @Nullable Cell statsCell;

    protected CountingWorkerThread(StatsRecorder recorder, String name) {
      // No inheritable thread-locals from whichever thread happened to start this one.
      super(null, null, name, 0, false);
      this.recorder = recorder;
    }

    @Override
    public final void run() {
      statsCell = recorder.newCell();
      try {
        work();
      } finally {
        Cell cell = statsCell;
        statsCell = null;
        if (cell != null) {
          recorder.retireCell(cell);
        }
      }
    }

    /** The thread's work, with its cell taken. */
    protected abstract void work();
  }

  /**
   * The started and completed counts of one runner thread at a time, and the admission slots it
   * gave back. Written only by its owner
   * (plain read, release store: no atomic instruction), read by snapshots with acquire loads.
   * Padded, so that owners on different cores do not share its line.
   */
  @SuppressWarnings("UnusedVariable") // padding, and fields accessed through VarHandles
  public static final class Cell {
    static final VarHandle STARTED;
    static final VarHandle COMPLETED;
    static final VarHandle RELEASED;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        STARTED = lookup.findVarHandle(Cell.class, "started", long.class);
        COMPLETED = lookup.findVarHandle(Cell.class, "completed", long.class);
        RELEASED = lookup.findVarHandle(Cell.class, "released", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final StatsRecorder recorder;
    long p01, p02, p03, p04, p05, p06, p07, p08;
    private long started;
    private long completed;
    private long released; // admission slots given back: the runner's, not a statistic
    long p11, p12, p13, p14, p15, p16, p17, p18;

    Cell(StatsRecorder recorder) {
      this.recorder = recorder;
    }

    // One method per counter, so that each VarHandle is a constant where it is used.
    void addStarted() {
      STARTED.setRelease(this, started + 1);
    }

    void addCompleted() {
      COMPLETED.setRelease(this, completed + 1);
    }

    void addReleased() {
      RELEASED.setRelease(this, released + 1);
    }
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
