package io.taskrunner.jcstress.loop;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import com.google.common.util.concurrent.ListenableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A task handed to the loop while the loop goes to sleep must never be stranded. The loop
 * publishes {@code SLEEPING} and then looks at its queue once more before parking; a producer
 * offers its task and then looks at the flag, unparking the loop if it saw {@code SLEEPING}. Both
 * are volatile accesses, so in any interleaving one side sees the other's write: either the loop
 * sees the task and stays awake, or the producer sees {@code SLEEPING} and wakes it. Had either
 * side looked before it wrote, both could miss: the loop would park on a non-empty queue.
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.loop.LoopWakeupStress'}
 */
public final class LoopWakeupStress {
  private LoopWakeupStress() {}

  private static final int AWAKE = 0;
  private static final int SLEEPING = 1;

  /**
   * The handshake in isolation. Records whether the loop saw the task after publishing {@code
   * SLEEPING} (so it does not park), and whether the producer saw {@code SLEEPING} (so it unparks).
   */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the loop saw the task and stays awake")
  @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the producer saw the loop asleep and woke it")
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both saw each other: a spurious wake-up")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "stranded: the loop parks on a queued task")
  @State
  public static class Simple {
    private final ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wakeup = new AtomicInteger(AWAKE);

    @Actor
    public void loopGoesToSleep(II_Result r) {
      wakeup.set(SLEEPING);
      r.r1 = queue.isEmpty() ? 0 : 1;
    }

    @Actor
    public void producerHandsOver(II_Result r) {
      queue.offer(1);
      r.r2 = wakeup.get() == SLEEPING && wakeup.getAndSet(AWAKE) == SLEEPING ? 1 : 0;
    }
  }

  /**
   * The shipped loop: two threads submit a task each to a loop that keeps going to sleep between
   * states. Records, per task, {@code 1} if it ran within 10 s and {@code 0} if it was stranded.
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both tasks ran")
  @Outcome(expect = FORBIDDEN, desc = "a task was stranded in the queue of a sleeping loop")
  @State
  public static class Actual {
    private volatile @Nullable ListenableFuture<Integer> first;
    private volatile @Nullable ListenableFuture<Integer> second;

    @Actor
    public void submitFirst() {
      first = SharedLoop.RUNNER.submit(() -> 1);
    }

    @Actor
    public void submitSecond() {
      second = SharedLoop.RUNNER.submit(() -> 2);
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = ran(first, 1);
      r.r2 = ran(second, 2);
    }

    private static int ran(@Nullable ListenableFuture<Integer> future, int expected) {
      if (future == null) {
        return 0;
      }
      try {
        return future.get(10, TimeUnit.SECONDS) == expected ? 1 : 0;
      } catch (ExecutionException | TimeoutException e) {
        return 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 0;
      }
    }
  }
}
