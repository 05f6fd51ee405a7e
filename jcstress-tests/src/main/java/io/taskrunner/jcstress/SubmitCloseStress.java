package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.RunnerStats;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * {@code submit} racing {@code shutdown}: the runner packs "open?" and "how many tasks were ever
 * accepted" into one CAS-ed word ({@code ctl} in {@code AbstractTaskRunner}), so taking a slot
 * fails once the shutdown is published and the count is frozen from then on; finishing tasks add to
 * a second counter, {@code released}, and a {@code closing} flag set after the shutdown's CAS tells
 * them to check whether they were the last. The races: a submit reads "open" while the shutdown
 * flips the state (the task could be accepted after termination was decided: it would never run,
 * or run on a pool that is gone); and the last release reads {@code closing} just before it is set
 * while the shutdown reads {@code released} just before the release lands (nobody would
 * terminate), or both see each other (termination must still happen only once).
 *
 * <p>Every case records, in order: whether the submit was accepted (1) or rejected (0); whether
 * the task ran (0 = never, 1 = once, before termination, 2 = after the runner had terminated,
 * 3 = more than once); how many times the runner terminated; whether a submit made after
 * termination was accepted, or the stats disagree with what the submitter saw (1; it must be 0).
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.SubmitCloseStress'}
 */
public final class SubmitCloseStress {
  private SubmitCloseStress() {}

  /**
   * The race in isolation: a model of {@code ctl} (state in the top byte, accepted count below),
   * {@code released} and {@code closing}, with the same three operations: take a slot, release
   * it, shut down.
   */
  @JCStressTest
  @Outcome(
      id = "1, 1, 1, 0",
      expect = ACCEPTABLE,
      desc = "submit won: the task was accepted, ran once, and its release terminated the runner")
  @Outcome(
      id = "0, 0, 1, 0",
      expect = ACCEPTABLE,
      desc = "shutdown won: the task was rejected, never ran, and the shutdown terminated")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "an accepted task did not run exactly once, a rejected one ran, termination did not"
              + " happen exactly once, or a task was accepted after termination")
  @State
  public static class Simple {
    private static final int SHIFT = 56;
    private static final long RUNNING = 0;
    private static final long SHUTDOWN = 1;
    private static final long TERMINATED = 3;
    private static final long COUNT = (1L << SHIFT) - 1;

    private final AtomicLong ctl = new AtomicLong();
    private final AtomicLong released = new AtomicLong();
    private volatile boolean closing;
    private final AtomicInteger ran = new AtomicInteger();
    private final AtomicInteger terminations = new AtomicInteger();

    private boolean tryAcquire() {
      for (; ; ) {
        long c = ctl.get();
        if (c >>> SHIFT != RUNNING) {
          return false;
        }
        if (ctl.compareAndSet(c, c + 1)) {
          return true;
        }
      }
    }

    private void release() {
      released.incrementAndGet();
      if (closing) {
        tryTerminate();
      }
    }

    private void tryTerminate() {
      for (; ; ) {
        long c = ctl.get();
        long state = c >>> SHIFT;
        if (state == RUNNING || state == TERMINATED || released.get() != (c & COUNT)) {
          return;
        }
        if (ctl.compareAndSet(c, (TERMINATED << SHIFT) | (c & COUNT))) {
          terminations.incrementAndGet();
          return;
        }
      }
    }

    @Actor
    public void submit(IIII_Result r) {
      if (tryAcquire()) {
        r.r1 = 1;
        ran.addAndGet(terminations.get() > 0 ? 2 : 1);
        release();
      }
    }

    @Actor
    public void shutdown() {
      for (; ; ) {
        long c = ctl.get();
        if (c >>> SHIFT >= SHUTDOWN) {
          break;
        }
        if (ctl.compareAndSet(c, (SHUTDOWN << SHIFT) | (c & COUNT))) {
          closing = true;
          break;
        }
      }
      tryTerminate();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      r.r2 = Math.min(ran.get(), 3);
      r.r3 = terminations.get();
      r.r4 = tryAcquire() ? 1 : 0;
    }
  }

  /**
   * The shipped {@code AbstractTaskRunner} and {@code TaskFuture} with a strategy that runs the
   * task inside {@code submit}, so the task's release of its slot races the shutdown as tightly as
   * the slot's acquisition does; {@code onTerminated} calls are counted.
   */
  @JCStressTest
  @Outcome(
      id = "1, 1, 1, 0",
      expect = ACCEPTABLE,
      desc = "submit won: the task was accepted, ran once, and the runner terminated once after it")
  @Outcome(
      id = "0, 0, 1, 0",
      expect = ACCEPTABLE,
      desc = "shutdown won: the task was rejected, never ran, and the runner terminated once")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "an accepted task did not run exactly once, a rejected one ran, termination did not"
              + " happen exactly once, a task ran after termination or was accepted after it, or"
              + " stats() disagree with the submitter")
  @State
  public static class Actual {
    private final ProbeRunner runner = ProbeRunner.inline();
    private final AtomicInteger ran = new AtomicInteger();

    @Actor
    public void submit(IIII_Result r) {
      try {
        ListenableFuture<Integer> unused =
            runner.submit(() -> ran.addAndGet(runner.terminations() > 0 ? 2 : 1));
        r.r1 = 1;
      } catch (RejectedExecutionException e) {
        r.r1 = 0;
      }
    }

    @Actor
    public void shutdown() {
      runner.shutdown();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      r.r2 = Math.min(ran.get(), 3);
      r.r3 = runner.terminations();
      r.r4 = lateSubmitAccepted(runner) || statsDisagree(runner, r.r1) ? 1 : 0;
    }
  }

  /**
   * The CPU runner as users get it ({@code Runners.forWorkload(cpuBound().maxConcurrency(1))}):
   * the task runs on a pool thread, so its release races the shutdown from a third thread. The
   * third field is 1 when the runner terminated (within 30 s) with the task's future done.
   */
  @JCStressTest
  @Outcome(
      id = "1, 1, 1, 0",
      expect = ACCEPTABLE,
      desc = "submit won: the task was accepted, ran once, and the runner then terminated")
  @Outcome(
      id = "0, 0, 1, 0",
      expect = ACCEPTABLE,
      desc = "shutdown won: the task was rejected, never ran, and the runner terminated")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "an accepted task did not run exactly once, a rejected one ran, the runner did not"
              + " terminate, a task was accepted after termination, or stats() count a rejected"
              + " task as submitted")
  @State
  public static class ActualThreadPool {
    private final TaskRunner runner =
        Runners.forWorkload(Workload.cpuBound().maxConcurrency(1).named("stress"));
    private final AtomicInteger ran = new AtomicInteger();
    private volatile @Nullable ListenableFuture<Integer> accepted;

    @Actor
    public void submit(IIII_Result r) {
      try {
        accepted = runner.submit(ran::incrementAndGet);
        r.r1 = 1;
      } catch (RejectedExecutionException e) {
        r.r1 = 0;
      }
    }

    @Actor
    public void shutdown() {
      runner.asExecutorService().shutdown();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      boolean terminated;
      try {
        terminated = runner.awaitTermination(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        terminated = false;
      }
      ListenableFuture<Integer> future = accepted;
      r.r2 = Math.min(ran.get(), 3);
      r.r3 = terminated && (future == null || future.isDone()) ? 1 : 0;
      r.r4 = lateSubmitAccepted(runner) || statsDisagree(runner, r.r1) ? 1 : 0;
    }
  }

  /**
   * Whether {@code stats()} disagrees with the submitter: an accepted task must be counted once as
   * submitted and completed, a rejected one only as rejected (not as a submitted task that failed).
   */
  private static boolean statsDisagree(TaskRunner runner, int accepted) {
    RunnerStats stats = runner.stats();
    return stats.submitted() != accepted
        || stats.completed() != accepted
        || stats.failed() != 0
        || stats.pending() != 0;
  }

  private static boolean lateSubmitAccepted(TaskRunner runner) {
    try {
      ListenableFuture<Integer> unused = runner.submit(() -> 0);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }
}
