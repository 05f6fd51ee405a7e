package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.RunnerStats;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code stats()} racing a task's submit, start and completion. The counters are separate {@link
 * LongAdder}s updated without a lock; {@code queued = submitted - started - abandoned} and {@code
 * running = started + abandoned - done} are derived. A snapshot that read {@code submitted} before
 * {@code started} could see a start without its submit and report {@code queued = -1} (and {@code
 * RunnerStats} would refuse the inconsistent sums). {@code StatsRecorder} makes every task move
 * through the counters in one order and reads them in the reverse order, so anything it sees of a
 * later step it also sees of the earlier ones.
 *
 * <p>Every case records one snapshot as {@code queued, running, done} (done = completed + failed +
 * cancelled) and then whether a second snapshot, taken right after, went backwards ({@code 1}) or
 * not ({@code 0}). A snapshot whose sums do not add up is recorded as {@code -1, -1, -1}.
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.StatsSnapshotStress'}
 */
public final class StatsSnapshotStress {
  private StatsSnapshotStress() {}

  /** The race in isolation: three ordered counters written in order and read in reverse. */
  @JCStressTest
  @Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "snapshot before the submit")
  @Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE, desc = "snapshot while the task was queued")
  @Outcome(id = "0, 1, 0, 0", expect = ACCEPTABLE, desc = "snapshot while the task ran")
  @Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "snapshot after the task was done")
  @Outcome(
      expect = FORBIDDEN,
      desc = "a negative queued or running count, or a later snapshot that went backwards")
  @State
  public static class Simple {
    private final LongAdder submitted = new LongAdder();
    private final LongAdder started = new LongAdder();
    private final LongAdder done = new LongAdder();

    @Actor
    public void task() {
      submitted.increment();
      started.increment();
      done.increment();
    }

    @Actor
    public void snapshot(IIII_Result r) {
      long[] first = read();
      long[] second = read();
      r.r1 = (int) first[1];
      r.r2 = (int) first[2];
      r.r3 = (int) first[3];
      boolean backwards =
          second[0] < first[0]
              || second[3] < first[3]
              || second[2] + second[3] < first[2] + first[3];
      r.r4 = backwards ? 1 : 0;
    }

    /** {submitted, queued, running, done}, read in the reverse order of the writes. */
    private long[] read() {
      long doneNow = done.sum();
      long startedNow = started.sum();
      long submittedNow = submitted.sum();
      return new long[] {
        submittedNow, submittedNow - startedNow, startedNow - doneNow, doneNow
      };
    }
  }

  /**
   * The shipped {@code StatsRecorder} as {@code AbstractTaskRunner} and {@code TaskFuture} drive
   * it: one actor submits a task and runs it as a pool thread would, the other takes snapshots
   * through {@code stats()}.
   */
  @JCStressTest
  @Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "snapshot before the submit")
  @Outcome(id = "1, 0, 0, 0", expect = ACCEPTABLE, desc = "snapshot while the task was queued")
  @Outcome(id = "0, 1, 0, 0", expect = ACCEPTABLE, desc = "snapshot while the task ran")
  @Outcome(id = "0, 0, 1, 0", expect = ACCEPTABLE, desc = "snapshot after the task was done")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "an inconsistent snapshot (negative counts, sums that do not add up) or a later"
              + " snapshot that went backwards")
  @State
  public static class Actual {
    private final ProbeRunner runner = ProbeRunner.held();

    @Actor
    public void task() {
      ListenableFuture<Integer> unused = runner.submit(() -> 1);
      runner.runHeld();
    }

    @Actor
    public void snapshot(IIII_Result r) {
      recordTwoSnapshots(runner, r);
    }
  }

  /**
   * The same with the task cancelled before, while or after it runs: the {@code abandoned} path (a
   * cancelled task that never started) and a task counted done while its code still returns must
   * keep the sums consistent as well. The task is submitted before the race; one actor runs it as
   * a pool thread would, the other cancels it and then takes the snapshots. (Two actors: jcstress
   * cannot schedule three on this project's 2-core CI machine.)
   */
  @JCStressTest
  @Outcome(
      id = "0, 0, 1, 0",
      expect = ACCEPTABLE,
      desc = "snapshot after the task completed or was cancelled")
  @Outcome(
      id = "0, 1, 0, 0",
      expect = ACCEPTABLE,
      desc = "the task won the race and its future is done, but it was not counted yet")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "an inconsistent snapshot (negative counts, sums that do not add up), a cancelled task"
              + " still queued, or a later snapshot that went backwards")
  @State
  public static class ActualCancel {
    private final ProbeRunner runner = ProbeRunner.held();
    private final ListenableFuture<Integer> future = runner.submit(() -> 1);

    @Actor
    public void runnerThread() {
      runner.runHeld();
      boolean unused = Thread.interrupted(); // never leaks (CancelCompleteStress): keep it so
    }

    @Actor
    public void cancelThenSnapshot(IIII_Result r) {
      boolean unused = future.cancel(true);
      recordTwoSnapshots(runner, r);
    }
  }

  /**
   * The CPU runner as users get it ({@code cpuBound().maxConcurrency(1)}, one per fork): its pool
   * thread counts started and completed tasks in a cell of its own, with release stores and no
   * atomic instruction, and snapshots sum the cells with acquire loads. One actor submits a task
   * and waits for it, the other takes two snapshots while the pool thread counts. Counts add up
   * across samples, so only consistency is recorded: {@code r1} is 1 if a snapshot was refused
   * (negative or inconsistent counts), {@code r2} is 1 if the second went backwards.
   */
  @JCStressTest
  @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "both snapshots consistent, in order")
  @Outcome(expect = FORBIDDEN, desc = "an inconsistent snapshot, or one that went backwards")
  @State
  public static class ActualThreadPool {
    private static final TaskRunner POOL =
        Runners.forWorkload(Workload.cpuBound().maxConcurrency(1).named("stress-stats"));

    @Actor
    public void task() {
      try {
        Integer unused = POOL.submit(() -> 1).get();
      } catch (ExecutionException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Actor
    public void snapshot(II_Result r) {
      RunnerStats first = snapshotOrNull(POOL);
      RunnerStats second = snapshotOrNull(POOL);
      r.r1 = first == null || second == null ? 1 : 0;
      r.r2 = first != null && second != null && wentBackwards(first, second) ? 1 : 0;
    }
  }

  /**
   * Takes two snapshots and records the first as {@code queued, running, done} ({@code -1, -1,
   * -1} if either was refused) and whether the second went backwards.
   */
  private static void recordTwoSnapshots(TaskRunner runner, IIII_Result r) {
    RunnerStats first = snapshotOrNull(runner);
    RunnerStats second = snapshotOrNull(runner);
    if (first == null || second == null) {
      r.r1 = r.r2 = r.r3 = -1;
      return;
    }
    r.r1 = (int) first.queued();
    r.r2 = (int) first.running();
    r.r3 = (int) done(first);
    r.r4 = wentBackwards(first, second) ? 1 : 0;
  }

  /**
   * Whether a cumulative count (submitted, started-or-abandoned, done) is lower in the later
   * snapshot. {@code queued} and {@code running} may go either way.
   */
  private static boolean wentBackwards(RunnerStats first, RunnerStats second) {
    return second.submitted() < first.submitted()
        || second.submitted() - second.queued() < first.submitted() - first.queued()
        || done(second) < done(first);
  }

  private static long done(RunnerStats stats) {
    return stats.completed() + stats.failed() + stats.cancelled();
  }

  /** {@code RunnerStats} refuses negative counts and sums that do not add up. */
  private static @Nullable RunnerStats snapshotOrNull(TaskRunner runner) {
    try {
      return runner.stats();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
