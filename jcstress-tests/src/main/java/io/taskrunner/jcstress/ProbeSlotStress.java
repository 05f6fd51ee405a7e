package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskrunner.Strategy;
import io.taskrunner.strategies.internal.KeyProfiler;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The adaptive runner's probe slots: an undecided key lets at most {@value
 * KeyProfiler#SAMPLES_TO_ROUTE} of its tasks run measured; the rest run unmeasured on virtual
 * threads. The race: several submitters of the same key take slots at once; a check-then-act
 * would let more probes through than there are slots (each costing a platform thread), or lose a
 * slot. {@code KeyProfiler.Profile.tryProbe} takes slots with a CAS loop.
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.ProbeSlotStress'}
 */
public final class ProbeSlotStress {
  private ProbeSlotStress() {}

  /**
   * The race in isolation: a counter with one slot left, taken by check-then-CAS by two actors.
   * Records whether each actor got the slot, and the final count.
   */
  @JCStressTest
  @Outcome(id = {"1, 0, 4", "0, 1, 4"}, expect = ACCEPTABLE, desc = "exactly one took the last slot")
  @Outcome(id = "1, 1, 5", expect = FORBIDDEN, desc = "both took the last slot: one probe too many")
  @Outcome(expect = FORBIDDEN, desc = "the slot was lost or counted twice")
  @State
  public static class Simple {
    private final AtomicInteger issued = new AtomicInteger(3);

    private int take() {
      for (int n = issued.get(); n < 4; n = issued.get()) {
        if (issued.compareAndSet(n, n + 1)) {
          return 1;
        }
      }
      return 0;
    }

    @Actor
    public void first(III_Result r) {
      r.r1 = take();
    }

    @Actor
    public void second(III_Result r) {
      r.r2 = take();
    }

    @Arbiter
    public void arbiter(III_Result r) {
      r.r3 = issued.get();
    }
  }

  /**
   * The shipped profile with three of its four slots taken: two actors race for the last one
   * (two actors, since this suite runs on two cores). Records whether each got it, and whether one
   * more would be granted afterwards (it must not).
   */
  @JCStressTest
  @Outcome(id = {"1, 0, 0", "0, 1, 0"}, expect = ACCEPTABLE, desc = "exactly one took the last slot")
  @Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "both took the last slot: one probe too many")
  @Outcome(expect = FORBIDDEN, desc = "the last slot was lost, or a slot appeared afterwards")
  @State
  public static class Actual {
    private final KeyProfiler.Profile profile;

    public Actual() {
      KeyProfiler profiler = new KeyProfiler("stress", Strategy.ADAPTIVE);
      profile = Objects.requireNonNull(profiler.profile("key"));
      for (int i = 0; i < KeyProfiler.SAMPLES_TO_ROUTE - 1; i++) {
        if (!profile.tryProbe()) {
          throw new IllegalStateException("fresh profile refused a probe");
        }
      }
    }

    @Actor
    public void first(III_Result r) {
      r.r1 = profile.tryProbe() ? 1 : 0;
    }

    @Actor
    public void second(III_Result r) {
      r.r2 = profile.tryProbe() ? 1 : 0;
    }

    @Arbiter
    public void arbiter(III_Result r) {
      r.r3 = profile.tryProbe() ? 1 : 0;
    }
  }
}
