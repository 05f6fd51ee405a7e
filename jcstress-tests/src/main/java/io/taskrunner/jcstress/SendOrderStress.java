package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskrunner.strategies.process.SendOrder;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A remote task's request going out races its future completing by {@code cancel(true)} or a
 * timeout. The worker must get a CANCEL exactly once and only after the REQUEST: with no CANCEL a
 * cancelled task keeps its worker busy (and a hung one is never killed); with two, the worker is
 * told twice; a CANCEL sent before the REQUEST is ignored by the worker, which then runs the task
 * anyway. So whichever party comes second sends it: the sender if the future completed first, the
 * finisher if the request went out first. Forbidden: both or neither told to send.
 *
 * <p>Each case records: {@code r1} whether the sender was told to send CANCEL, {@code r2} whether
 * the finisher was.
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.SendOrderStress'}
 */
public final class SendOrderStress {
  private SendOrderStress() {}

  private static final int UNSENT = 0;
  private static final int SENT = 1;
  private static final int CANCEL_WANTED = 2;

  /** The race in isolation: one int, each party moving it from UNSENT by CAS. */
  @JCStressTest
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the request went first; the finisher cancels")
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the future completed first; the sender cancels")
  @Outcome(expect = FORBIDDEN, desc = "CANCEL sent twice or never")
  @State
  public static class Simple {
    private final AtomicInteger state = new AtomicInteger(UNSENT);

    @Actor
    public void sender(II_Result r) {
      r.r1 = state.compareAndExchange(UNSENT, SENT) == CANCEL_WANTED ? 1 : 0;
    }

    @Actor
    public void finisher(II_Result r) {
      r.r2 = state.compareAndExchange(UNSENT, CANCEL_WANTED) == SENT ? 1 : 0;
    }
  }

  /** The same race on the shipped {@link SendOrder}. */
  @JCStressTest
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the request went first; the finisher cancels")
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the future completed first; the sender cancels")
  @Outcome(expect = FORBIDDEN, desc = "CANCEL sent twice or never")
  @State
  public static class Actual {
    private final SendOrder order = new SendOrder();

    @Actor
    public void sender(II_Result r) {
      r.r1 = order.sent() ? 1 : 0;
    }

    @Actor
    public void finisher(II_Result r) {
      r.r2 = order.finished() ? 1 : 0;
    }
  }
}
