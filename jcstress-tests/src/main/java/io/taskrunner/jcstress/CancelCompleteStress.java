package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.RunnerStats;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code cancel(true)} racing the task completing. Two things can go wrong: both sides believe they
 * decided the outcome (the future completes twice, or is counted as both completed and cancelled),
 * and the canceller's interrupt lands on the runner thread after the task's code returned, where it
 * hits whatever that pooled thread runs next. {@code TaskFuture} settles the first through the
 * future's single value (one CAS decides) and the second with a second state word: the canceller
 * may interrupt only by moving it from "this thread runs the code" to {@code INTERRUPTING}, the
 * runner thread leaves by moving it to {@code FINISHED}, and if it loses that CAS it waits for the
 * interrupt to be delivered and clears it.
 *
 * <p>Every case records, in order: whether an interrupt was still pending on the runner thread
 * after the task ({@code 1} = leaked); what {@code cancel(true)} returned ({@code 1} = true); the
 * future's outcome ({@code 1} = the task's value, {@code 2} = cancelled, {@code 3} = anything
 * else); and the count check ({@code 1} when exactly one of completed/cancelled was counted and
 * it matches the future, else {@code 0}).
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.CancelCompleteStress'}
 */
public final class CancelCompleteStress {
  private CancelCompleteStress() {}

  private static final int VALUE = 1;
  private static final int CANCELLED = 2;
  private static final int OTHER = 3;

  /**
   * The race in isolation: the value CAS and the state-word handshake, with one actor as the
   * runner thread and one as the canceller.
   */
  @JCStressTest
  @Outcome(
      id = "0, 0, 1, 1",
      expect = ACCEPTABLE,
      desc = "the task completed first; cancel returned false and interrupted nobody")
  @Outcome(
      id = "0, 1, 2, 1",
      expect = ACCEPTABLE,
      desc = "cancel won (before or while the code ran); the interrupt, if sent, was cleared")
  @Outcome(
      expect = FORBIDDEN,
      desc = "an interrupt leaked past the task, or both sides (or neither) decided the outcome")
  @State
  public static class Simple {
    /** The states that are not "this thread runs the code". */
    private enum Marker {
      NEW,
      ABANDONED,
      INTERRUPTING,
      INTERRUPTED,
      FINISHED
    }

    private static final Marker NEW = Marker.NEW;
    private static final Marker ABANDONED = Marker.ABANDONED;
    private static final Marker INTERRUPTING = Marker.INTERRUPTING;
    private static final Marker INTERRUPTED = Marker.INTERRUPTED;
    private static final Marker FINISHED = Marker.FINISHED;

    private final AtomicReference<@Nullable Object> value = new AtomicReference<>();
    private final AtomicReference<Object> state = new AtomicReference<>(NEW);

    @Actor
    public void runnerThread(IIII_Result r) {
      Thread me = Thread.currentThread();
      if (state.compareAndSet(NEW, me)) {
        boolean unused = value.compareAndSet(null, VALUE);
        if (!state.compareAndSet(me, FINISHED)) {
          while (state.get() == INTERRUPTING) {
            Thread.onSpinWait();
          }
          boolean unused2 = Thread.interrupted();
          state.set(FINISHED);
        }
      }
      r.r1 = Thread.interrupted() ? 1 : 0;
    }

    @Actor
    public void canceller(IIII_Result r) {
      if (value.compareAndSet(null, CANCELLED)) {
        r.r2 = 1;
        if (state.compareAndSet(NEW, ABANDONED)) {
          return; // the code never starts
        }
        Object s = state.get();
        if (s instanceof Thread thread && state.compareAndSet(s, INTERRUPTING)) {
          thread.interrupt();
          state.set(INTERRUPTED);
        }
      }
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      Object v = value.get();
      r.r3 = v == null ? OTHER : (Integer) v;
      r.r4 = v != null ? 1 : 0;
    }
  }

  /**
   * The shipped {@code TaskFuture} through {@code AbstractTaskRunner.submit}: an actor runs the task
   * exactly as a pool thread does ({@code TaskFuture.run()}), then checks its own interrupt status,
   * which is what the next task on that thread would see.
   */
  @JCStressTest
  @Outcome(
      id = "0, 0, 1, 1",
      expect = ACCEPTABLE,
      desc = "the task completed first; cancel returned false and interrupted nobody")
  @Outcome(
      id = "0, 1, 2, 1",
      expect = ACCEPTABLE,
      desc = "cancel won (before or while the code ran); the interrupt, if sent, was cleared")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "an interrupt leaked to the runner thread after the task, the outcome was decided twice"
              + " or not at all, or stats counted it wrongly")
  @State
  public static class Actual {
    private final ProbeRunner runner = ProbeRunner.held();
    private final ListenableFuture<Integer> future = runner.submit(() -> VALUE);

    @Actor
    public void runnerThread(IIII_Result r) {
      runner.runHeld();
      r.r1 = Thread.interrupted() ? 1 : 0;
    }

    @Actor
    public void canceller(IIII_Result r) {
      r.r2 = future.cancel(true) ? 1 : 0;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      r.r3 = outcome(future);
      RunnerStats stats = runner.stats();
      boolean counted =
          stats.pending() == 0
              && (r.r3 == VALUE
                  ? stats.completed() == 1 && stats.cancelled() == 0
                  : stats.completed() == 0 && stats.cancelled() == 1);
      r.r4 = counted ? 1 : 0;
    }
  }

  /**
   * The CPU runner as users get it, one pool thread ({@code cpuBound().maxConcurrency(1)}, shared
   * by all samples of a fork): {@code first} is cancelled while it completes, then {@code next}
   * runs on the same pooled thread and reports whether it found itself interrupted. The first
   * field is 1 if {@code next} saw an interrupt it was never sent.
   */
  @JCStressTest
  @Outcome(
      id = "0, 0, 1, 1",
      expect = ACCEPTABLE,
      desc = "the first task completed first; cancel returned false")
  @Outcome(
      id = "0, 1, 2, 1",
      expect = ACCEPTABLE,
      desc = "cancel won; the next task on the same thread was not interrupted")
  @Outcome(
      expect = FORBIDDEN,
      desc = "the next task on the pooled thread saw the interrupt meant for the cancelled one")
  @State
  public static class ActualThreadPool {
    private static final TaskRunner POOL =
        Runners.forWorkload(Workload.cpuBound().maxConcurrency(1).named("stress-cancel"));

    private volatile @Nullable ListenableFuture<Integer> first;
    private volatile @Nullable ListenableFuture<Boolean> next;

    @Actor
    public void submitter() {
      first = POOL.submit(() -> VALUE);
      next = POOL.submit(Thread::interrupted);
    }

    @Actor
    public void canceller(IIII_Result r) {
      ListenableFuture<Integer> f;
      while ((f = first) == null) {
        Thread.onSpinWait();
      }
      r.r2 = f.cancel(true) ? 1 : 0;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      ListenableFuture<Integer> f = first;
      ListenableFuture<Boolean> n = next;
      if (f == null || n == null) {
        r.r1 = -1;
        return;
      }
      try {
        // next runs after first on the single FIFO pool thread, so first is settled by now
        r.r1 = n.get(30, TimeUnit.SECONDS) ? 1 : 0;
        r.r3 = outcome(f);
        r.r4 = 1;
      } catch (ExecutionException | TimeoutException | CancellationException e) {
        r.r4 = 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        r.r4 = 0;
      }
    }
  }

  /**
   * {@code cancel(true)} racing the task's start: the runner thread claims the task ({@code
   * STARTING}), then publishes itself with a release store, with no fence; a canceller that sees
   * {@code STARTING} must wait for that store rather than conclude there is nobody to interrupt.
   * The task's code waits (up to 5 s) for its interrupt, so a lost one shows. The first field says
   * what the code saw (0 = it never ran, 1 = its interrupt, 2 = no interrupt: lost), the second
   * what {@code cancel} returned.
   */
  @JCStressTest
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "cancelled before the code started")
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "cancelled while the code ran: interrupted")
  @Outcome(
      expect = FORBIDDEN,
      desc = "the code ran after a successful cancel(true) and was never interrupted")
  @State
  public static class InterruptReachesStartingTask {
    private final ProbeRunner runner = ProbeRunner.held();
    private volatile int seen;
    private final ListenableFuture<Integer> future =
        runner.submit(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
              while (!Thread.currentThread().isInterrupted()) {
                if (System.nanoTime() - deadline > 0) {
                  seen = 2;
                  return VALUE;
                }
                Thread.onSpinWait();
              }
              seen = 1;
              return VALUE;
            });

    @Actor
    public void runnerThread() {
      runner.runHeld();
      boolean unused = Thread.interrupted();
    }

    @Actor
    public void canceller(II_Result r) {
      r.r2 = future.cancel(true) ? 1 : 0;
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = seen;
    }
  }

  private static int outcome(Future<Integer> future) {
    if (future.isCancelled()) {
      return CANCELLED;
    }
    if (!future.isDone()) {
      return OTHER;
    }
    try {
      return future.get() == VALUE ? VALUE : OTHER;
    } catch (ExecutionException | CancellationException e) {
      return OTHER;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OTHER;
    }
  }
}
