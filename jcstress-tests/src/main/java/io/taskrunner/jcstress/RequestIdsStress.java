package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskrunner.strategies.process.RequestIds;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * Two threads submitting to one process pool at once each get a request id. A reply names its
 * request by id only, so two requests with one id would let one reply complete the wrong task (and
 * leave the other unanswered). Forbidden: the same id twice, or an id that is not positive ({@code
 * 0} is HELLO's).
 *
 * <p>Each case records the two ids, first actor's in {@code r1}.
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.RequestIdsStress'}
 */
public final class RequestIdsStress {
  private RequestIdsStress() {}

  /** The race in isolation: one atomic increment per id. */
  @JCStressTest
  @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "the first actor allocated first")
  @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "the second actor allocated first")
  @Outcome(expect = FORBIDDEN, desc = "an id given twice, or not positive")
  @State
  public static class Simple {
    private final AtomicLong last = new AtomicLong();

    @Actor
    public void first(JJ_Result r) {
      r.r1 = last.incrementAndGet();
    }

    @Actor
    public void second(JJ_Result r) {
      r.r2 = last.incrementAndGet();
    }
  }

  /** The same race on the shipped {@link RequestIds}. */
  @JCStressTest
  @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "the first actor allocated first")
  @Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "the second actor allocated first")
  @Outcome(expect = FORBIDDEN, desc = "an id given twice, or not positive")
  @State
  public static class Actual {
    private final RequestIds ids = new RequestIds();

    @Actor
    public void first(JJ_Result r) {
      r.r1 = ids.next();
    }

    @Actor
    public void second(JJ_Result r) {
      r.r2 = ids.next();
    }
  }
}
