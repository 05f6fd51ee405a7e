package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskrunner.strategies.process.Outbox;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The process pool's outbox: two threads each send a frame to the same worker, and each tries to
 * write the outbox itself. Whoever finds the other writing leaves its frame behind and goes, so the
 * writer must see that frame when it looks at the queue again after letting the flag go. That is
 * a store-load pair on both sides (offer the frame, then read the flag; clear the flag, then read
 * the queue): if either pair could be reordered, both threads could miss the frame, which would
 * then wait in the outbox until some later send, forever if none comes (a hung task). Forbidden:
 * a frame written twice, a frame left in the outbox once both returned, or the flag left set.
 *
 * <p>Each case records: {@code r1} how many frames were written (each at most once), {@code r2}
 * how many were left in the outbox after both threads returned, {@code r3} whether a following
 * drain could take the flag ({@code 1}) or found it stuck ({@code 0}).
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.OutboxStress'}
 */
public final class OutboxStress {
  private OutboxStress() {}

  /** The race in isolation: a queue and a flag taken by CAS, released by a volatile store. */
  @JCStressTest
  @Outcome(id = "2, 0, 1", expect = ACCEPTABLE, desc = "both frames written once; nothing left")
  @Outcome(expect = FORBIDDEN, desc = "a frame was stranded or written twice, or the flag stuck")
  @State
  public static class Simple {
    private static final VarHandle WRITING;

    static {
      try {
        WRITING = MethodHandles.lookup().findVarHandle(Simple.class, "writing", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final List<String> written = new ArrayList<>(); // only under the flag
    @SuppressWarnings("UnusedVariable") // accessed through WRITING
    private volatile int writing;

    private void send(String frame) {
      queue.offer(frame);
      while (!queue.isEmpty()) {
        if (!WRITING.compareAndSet(this, 0, 1)) {
          return;
        }
        try {
          for (String next = queue.poll(); next != null; next = queue.poll()) {
            written.add(next);
          }
        } finally {
          WRITING.setVolatile(this, 0);
        }
      }
    }

    @Actor
    public void first() {
      send("a");
    }

    @Actor
    public void second() {
      send("b");
    }

    @Arbiter
    public void check(III_Result r) {
      r.r1 = (int) written.stream().distinct().count() == written.size() ? written.size() : -1;
      r.r2 = queue.size();
      r.r3 = WRITING.compareAndSet(this, 0, 1) ? 1 : 0;
    }
  }

  /** The same race on the shipped {@link Outbox}. */
  @JCStressTest
  @Outcome(id = "2, 0, 1", expect = ACCEPTABLE, desc = "both frames written once; nothing left")
  @Outcome(expect = FORBIDDEN, desc = "a frame was stranded or written twice, or the outbox stuck")
  @State
  public static class Actual {
    private final List<String> written = new ArrayList<>(); // only by the draining thread
    private final Outbox<String> outbox = new Outbox<>(written::add, () -> {});

    @Actor
    public void first() {
      outbox.offer("a");
      boolean unused = outbox.drain();
    }

    @Actor
    public void second() {
      outbox.offer("b");
      boolean unused = outbox.drain();
    }

    @Arbiter
    public void check(III_Result r) {
      r.r1 = (int) written.stream().distinct().count() == written.size() ? written.size() : -1;
      r.r2 = outbox.isEmpty() ? 0 : 1;
      outbox.offer("c");
      r.r3 = outbox.drain() && written.contains("c") ? 1 : 0;
    }
  }
}
