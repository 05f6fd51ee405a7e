package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskrunner.strategies.WorkerCrashedException;
import io.taskrunner.strategies.process.InFlightTable;
import io.taskrunner.strategies.process.WorkerLifecycle;
import java.util.List;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A process-pool worker's state transitions ({@code WorkerLifecycle}, as {@code WorkerProcess}
 * drives it): ready and ending only move forward, the first kill reason stands, and the crash is
 * published before the in-flight table closes, so a task refused by the closed table always finds
 * the crash to fail with (it would otherwise fail with no cause, or wait for a reply that never
 * comes).
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.WorkerLifecycleStress'}
 */
public final class WorkerLifecycleStress {
  private WorkerLifecycleStress() {}

  private static WorkerCrashedException crash() {
    return new WorkerCrashedException("w#1", 1, 137, "killed", List.of(), null);
  }

  /**
   * The pool kills a worker twice at once (a timeout and {@code close}, say): exactly one reason
   * is recorded, the one whose {@code recordKill} returned true. r1, r2: what each call returned;
   * r3: which reason stands (1 or 2).
   */
  @JCStressTest
  @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "the first kill's reason stands")
  @Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "the second kill's reason stands")
  @Outcome(expect = FORBIDDEN, desc = "both or neither won, or the standing reason is the loser's")
  @State
  public static class KillReasons {
    private final WorkerLifecycle life = new WorkerLifecycle();

    @Actor
    public void timeout(III_Result r) {
      r.r1 = life.recordKill("timeout") ? 1 : 0;
    }

    @Actor
    public void close(III_Result r) {
      r.r2 = life.recordKill("close") ? 1 : 0;
    }

    @Arbiter
    public void arbiter(III_Result r) {
      String reason = life.killReason();
      r.r3 = "timeout".equals(reason) ? 1 : "close".equals(reason) ? 2 : 0;
    }
  }

  /**
   * HELLO racing the end of the worker's stream: once the stream ended the worker is not ready,
   * whatever the order. r1: whether the end saw the HELLO; r2: ready afterwards (must be 0).
   */
  @JCStressTest
  @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "ended before its HELLO was seen")
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "ended after its HELLO")
  @Outcome(expect = FORBIDDEN, desc = "a worker whose stream ended still looks ready")
  @State
  public static class ReadyVersusEnding {
    private final WorkerLifecycle life = new WorkerLifecycle();

    @Actor
    public void hello() {
      life.markReady();
    }

    @Actor
    public void streamEnds(II_Result r) {
      r.r1 = life.markEnding() ? 1 : 0;
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r2 = life.isReady() ? 1 : 0;
    }
  }

  /**
   * A task registering with a worker as the worker dies: the reader publishes the crash, then
   * closes the shipped {@link InFlightTable}. r1: 1 registered, 2 refused and found the crash, 3
   * refused and found no crash; r2: how many entries the close handed out.
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "registered first; the crash reached it")
  @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "refused; it fails with the crash")
  @Outcome(expect = FORBIDDEN, desc = "refused without a crash to report, or stranded/doubled")
  @State
  public static class RegisterVersusDeath {
    private final WorkerLifecycle life = new WorkerLifecycle();
    private final InFlightTable<String> inFlight = new InFlightTable<>();

    @Actor
    public void register(II_Result r) {
      if (inFlight.register(1L, "task")) {
        r.r1 = 1;
      } else {
        r.r1 = life.death() != null ? 2 : 3;
      }
    }

    @Actor
    public void die(II_Result r) {
      life.die(crash());
      r.r2 = inFlight.close().size();
    }
  }
}
