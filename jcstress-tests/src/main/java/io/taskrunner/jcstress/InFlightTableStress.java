package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskrunner.strategies.process.InFlightTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The process pool's in-flight table: a task being sent to a worker races the worker's death, and
 * a reply races the death too. Every task must get exactly one outcome: its reply, or the crash,
 * or (if it lost the race to be sent) a refusal that lets its sender fail it. Forbidden: a task
 * registered after the table was emptied (stranded: its future would never complete), or handed
 * out twice (two outcomes). {@code InFlightTable} guards registration and closing with one lock
 * and removes entries atomically, so the crash and the reply cannot both take the same entry.
 *
 * <p>Each case records: {@code r1} whether the sender's register (or the reader's reply) got the
 * entry, {@code r2} how many entries the close handed out, and, for the register race, {@code r3}
 * whether an entry was left behind after both (stranded).
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.InFlightTableStress'}
 */
public final class InFlightTableStress {
  private InFlightTableStress() {}

  /** The register-versus-close race in isolation: a flag and a map under one lock. */
  @JCStressTest
  @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "registered first; the close handed it out")
  @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "closed first; the register was refused")
  @Outcome(expect = FORBIDDEN, desc = "a registered entry was stranded or handed out twice")
  @State
  public static class Simple {
    private final Map<Long, String> entries = new ConcurrentHashMap<>();
    private boolean closed; // guarded by this

    @Actor
    public void sender(III_Result r) {
      synchronized (this) {
        if (closed) {
          r.r1 = 0;
          return;
        }
        entries.put(1L, "task");
      }
      r.r1 = 1;
    }

    @Actor
    public void reader(III_Result r) {
      synchronized (this) {
        closed = true;
      }
      List<String> left = new ArrayList<>();
      for (Long id : List.copyOf(entries.keySet())) {
        String entry = entries.remove(id);
        if (entry != null) {
          left.add(entry);
        }
      }
      r.r2 = left.size();
    }

    @Arbiter
    public void stranded(III_Result r) {
      r.r3 = entries.isEmpty() ? 0 : 1;
    }
  }

  /** The same race on the shipped {@link InFlightTable}. */
  @JCStressTest
  @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "registered first; the close handed it out")
  @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "closed first; the register was refused")
  @Outcome(expect = FORBIDDEN, desc = "a registered entry was stranded or handed out twice")
  @State
  public static class RegisterVersusClose {
    private final InFlightTable<String> table = new InFlightTable<>();

    @Actor
    public void sender(III_Result r) {
      r.r1 = table.register(1, "task") ? 1 : 0;
    }

    @Actor
    public void reader(III_Result r) {
      r.r2 = table.close().size();
    }

    @Arbiter
    public void stranded(III_Result r) {
      r.r3 = table.remove(1) != null ? 1 : 0;
    }
  }

  /** A reply racing the worker's death on the shipped table: one of them gets the task. */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the reply won; the crash skipped the task")
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the crash won; the late reply found nothing")
  @Outcome(expect = FORBIDDEN, desc = "both or neither decided the task")
  @State
  public static class ReplyVersusClose {
    private final InFlightTable<String> table = new InFlightTable<>();

    public ReplyVersusClose() {
      boolean unused = table.register(1, "task");
    }

    @Actor
    public void reply(II_Result r) {
      r.r1 = table.remove(1) != null ? 1 : 0;
    }

    @Actor
    public void crash(II_Result r) {
      r.r2 = table.close().size();
    }
  }
}
