package io.taskrunner.jcstress;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskrunner.strategies.internal.OneShotFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * {@code OneShotFuture}, the base of every runner's futures: completing it is one CAS, and the
 * completer swaps out the stack of waiters and listeners only if it sees something there. The
 * races: a listener pushed while the future completes (the completer may look before the push; the
 * pusher then sees the result and claims the stack itself: the listener must run exactly once, not
 * zero times or twice), a thread starting to wait while the future completes (it must be woken),
 * and two completers (one must win).
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.OneShotFutureStress'}
 */
public final class OneShotFutureStress {
  private OneShotFutureStress() {}

  /** A future an actor can complete. */
  static final class Settable extends OneShotFuture<Integer> {
    boolean complete(int value) {
      return set(value);
    }

    boolean fail() {
      return setException(new IllegalStateException("failed"));
    }
  }

  /** A listener added while the future completes; r1 = how many times it ran. */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the listener ran exactly once")
  @Outcome(expect = FORBIDDEN, desc = "the listener was lost or ran twice")
  @State
  public static class ListenerVersusComplete {
    private final Settable future = new Settable();
    private final AtomicInteger ran = new AtomicInteger();

    @Actor
    public void complete(II_Result r) {
      r.r2 = future.complete(1) ? 1 : 0;
    }

    @Actor
    public void listen() {
      future.addListener(ran::incrementAndGet, directExecutor());
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = ran.get();
    }
  }

  /**
   * A thread that starts waiting while the future completes; r1 = what its {@code get} saw (1 =
   * the value, 0 = it took over a second: the wake-up was lost, and only the bound on the wait,
   * which re-reads the result when it ends, brought the value; the bound keeps a lost one from
   * hanging).
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the waiter got the value")
  @Outcome(expect = FORBIDDEN, desc = "the waiter was not woken")
  @State
  public static class WaiterVersusComplete {
    private final Settable future = new Settable();

    @Actor
    public void complete(II_Result r) {
      r.r2 = future.complete(1) ? 1 : 0;
    }

    @Actor
    public void await(II_Result r) {
      long start = System.nanoTime();
      try {
        int value = future.get(10, TimeUnit.SECONDS);
        r.r1 = System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1) ? value : 0;
      } catch (InterruptedException | ExecutionException | TimeoutException e) {
        r.r1 = 0;
      }
    }
  }

  /**
   * A listener added before the completion races a late one. The early listener must have run
   * when {@code set} returns, on the completing thread (r1 = 1), however the late adder's push
   * interleaves with the completer's claim; the late one must run exactly once (r2).
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "early listener ran within set; late ran once")
  @Outcome(
      expect = FORBIDDEN,
      desc = "set returned before the early listener ran, or the late one ran zero or two times")
  @State
  public static class EarlyListenerRunsWithinSet {
    private final Settable future = new Settable();
    private final Thread[] ranOn = new Thread[1];
    private final AtomicInteger late = new AtomicInteger();

    public EarlyListenerRunsWithinSet() {
      future.addListener(() -> ranOn[0] = Thread.currentThread(), directExecutor());
    }

    @Actor
    public void complete(II_Result r) {
      boolean unused = future.complete(1);
      r.r1 = ranOn[0] == Thread.currentThread() ? 1 : 0;
    }

    @Actor
    public void listenLate() {
      future.addListener(late::incrementAndGet, directExecutor());
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r2 = late.get();
    }
  }

  /**
   * A waiter that gives up (a timed {@code get} with a tiny bound, unlinking its node) and then
   * adds a listener, while the future completes: unlinking must not lose or repeat the listener
   * (r1 = how many times it ran).
   */
  @JCStressTest
  @Outcome(id = "1", expect = ACCEPTABLE, desc = "the listener ran exactly once")
  @Outcome(expect = FORBIDDEN, desc = "the listener was lost or ran twice")
  @State
  public static class GiveUpThenListenVersusComplete {
    private final Settable future = new Settable();
    private final AtomicInteger ran = new AtomicInteger();

    @Actor
    public void complete() {
      boolean unused = future.complete(1);
    }

    @Actor
    public void giveUpThenListen() {
      try {
        int unused = future.get(1, TimeUnit.MICROSECONDS);
      } catch (TimeoutException | InterruptedException | ExecutionException e) {
        // gave up: its node is unlinked
      }
      future.addListener(ran::incrementAndGet, directExecutor());
    }

    @Arbiter
    public void arbiter(I_Result r) {
      r.r1 = ran.get();
    }
  }

  /** Completion racing failure; r1, r2 = whether each won. */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the value won")
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the failure won")
  @Outcome(expect = FORBIDDEN, desc = "both or neither won")
  @State
  public static class CompleteVersusFail {
    private final Settable future = new Settable();

    @Actor
    public void complete(II_Result r) {
      r.r1 = future.complete(1) ? 1 : 0;
    }

    @Actor
    public void fail(II_Result r) {
      r.r2 = future.fail() ? 1 : 0;
    }
  }
}
