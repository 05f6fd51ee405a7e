package io.taskrunner.jcstress.loop;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A timer cancelled (on any thread) while the loop fires it has exactly one outcome: either it
 * fired (its future completed normally, its continuation ran once, {@code cancel} returned false)
 * or it was cancelled (its future is cancelled, its continuation never ran, {@code cancel} returned
 * true). The loop's timer is its future ({@code SleepFuture}): firing is {@code complete(null)} and
 * cancelling is {@code cancel}, so the future's single result decides; the loser does nothing
 * (a lost fire runs no continuation, a lost cancel leaves the fired timer alone).
 *
 * <p>Every case records: whether {@code cancel} returned true; whether the future ended cancelled;
 * how many times the continuation ran.
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.loop.TimerCancelFireStress'}
 */
public final class TimerCancelFireStress {
  private TimerCancelFireStress() {}

  /** The race in isolation: one actor fires the timer's future, the other cancels it. */
  @JCStressTest
  @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "fired first; the cancel lost")
  @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "cancelled first; the timer never fired")
  @Outcome(expect = FORBIDDEN, desc = "both or neither won, or the continuation ran twice")
  @State
  public static class Simple {
    private final CompletableFuture<@Nullable Void> timer = new CompletableFuture<>();
    private final AtomicInteger fired = new AtomicInteger();
    private volatile int cancelled;

    public Simple() {
      var unused = timer.thenRun(fired::incrementAndGet);
    }

    @Actor
    public void fire() {
      boolean unused = timer.complete(null);
    }

    @Actor
    public void cancel() {
      cancelled = timer.cancel(false) ? 1 : 0;
    }

    @Arbiter
    public void arbiter(III_Result r) {
      r.r1 = cancelled;
      r.r2 = timer.isCancelled() ? 1 : 0;
      r.r3 = fired.get();
    }
  }

  /**
   * The shipped loop: one actor starts a zero-delay sleep off the loop (the loop adds the timer and
   * fires it at once) and cancels it straight away; the other keeps the loop busy with a task, to
   * shift the timing. The arbiter waits until the loop ran everything handed to it.
   */
  @JCStressTest
  @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "the loop fired it first; the cancel lost")
  @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "cancelled first; it never fired")
  @Outcome(expect = FORBIDDEN, desc = "both or neither won, or the continuation ran twice")
  @State
  public static class Actual {
    private final AtomicInteger fired = new AtomicInteger();
    private volatile @Nullable CompletableFuture<@Nullable Void> timer;
    private volatile int cancelled;

    @Actor
    public void sleepThenCancel() {
      CompletableFuture<@Nullable Void> t =
          SharedLoop.CONTEXT.sleep(Duration.ZERO).toCompletableFuture();
      var unused = t.thenRun(fired::incrementAndGet);
      timer = t;
      cancelled = t.cancel(false) ? 1 : 0;
    }

    @Actor
    public void keepTheLoopBusy() {
      SharedLoop.CONTEXT.executor().execute(() -> {});
    }

    @Arbiter
    public void arbiter(III_Result r) {
      boolean drained = SharedLoop.drained();
      CompletableFuture<@Nullable Void> t = timer;
      r.r1 = cancelled;
      r.r2 = t != null && t.isCancelled() ? 1 : 0;
      r.r3 = drained ? fired.get() : -1;
    }
  }
}
