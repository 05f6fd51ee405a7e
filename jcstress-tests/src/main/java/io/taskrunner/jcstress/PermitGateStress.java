package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.util.List;
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
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The virtual-thread runner's permit gate with {@code maxConcurrency(1)}: a task that finds no
 * permit enqueues itself, and a finishing task gives its permit back and then looks at the queue.
 * The race: the newcomer sees "no permit" just before the finisher returns it, and the finisher
 * sees "queue empty" just before the newcomer enqueues; if either side looked before it acted, the
 * newcomer would wait forever with the permit free (stranded). {@code VirtualThreadRunner} makes
 * each side act first (enqueue; return the permit) and look second (drain), so one of them always
 * sees the other.
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.PermitGateStress'}
 */
public final class PermitGateStress {
  private PermitGateStress() {}

  /**
   * The race in isolation: the gate's code with the permit held by a running task; one actor
   * finishes that task (returns the permit, drains), the other dispatches a new task. Records how
   * many times the new task was started, how many tasks are still queued, and the free permits
   * left (the started task keeps its permit).
   */
  @JCStressTest
  @Outcome(
      id = "1, 0, 0",
      expect = ACCEPTABLE,
      desc = "the new task started exactly once, holding the only permit")
  @Outcome(
      id = "0, 1, 1",
      expect = FORBIDDEN,
      desc = "stranded: the new task is queued while the permit is free")
  @Outcome(expect = FORBIDDEN, desc = "the task started twice, or a permit was lost or created")
  @State
  public static class Simple {
    private final AtomicInteger permits = new AtomicInteger(0); // the running task holds it
    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger started = new AtomicInteger();

    private boolean tryAcquire() {
      for (int p = permits.get(); p > 0; p = permits.get()) {
        if (permits.compareAndSet(p, p - 1)) {
          return true;
        }
      }
      return false;
    }

    private void drain() {
      while (!waiting.isEmpty() && tryAcquire()) {
        Runnable next = waiting.poll();
        if (next == null) {
          permits.incrementAndGet();
        } else {
          next.run();
        }
      }
    }

    @Actor
    public void finishRunningTask() {
      permits.incrementAndGet();
      drain();
    }

    @Actor
    public void dispatchNewTask() {
      Runnable start = started::incrementAndGet;
      if (waiting.isEmpty() && tryAcquire()) {
        start.run();
      } else {
        waiting.offer(start);
        drain();
      }
    }

    @Arbiter
    public void arbiter(III_Result r) {
      r.r1 = started.get();
      r.r2 = waiting.size();
      r.r3 = permits.get();
    }
  }

  /**
   * The shipped virtual-thread runner ({@code Runners.forWorkload(ioBound().maxConcurrency(1))}):
   * two actors submit a task each, so one of them takes the permit and the other queues while the
   * first finishes on its virtual thread. Records, per task, {@code 1} if it completed within 30 s
   * and {@code 0} if it was stranded.
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both tasks ran")
  @Outcome(
      expect = FORBIDDEN,
      desc = "a task was stranded in the queue (or failed) although the permit was free")
  @State
  public static class Actual {
    private final TaskRunner runner =
        Runners.forWorkload(Workload.ioBound().maxConcurrency(1).named("stress-gate"));
    private volatile @Nullable ListenableFuture<Integer> first;
    private volatile @Nullable ListenableFuture<Integer> second;

    @Actor
    public void submitFirst() {
      first = runner.submit(() -> 1);
    }

    @Actor
    public void submitSecond() {
      second = runner.submit(() -> 2);
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = ran(first, 1);
      r.r2 = ran(second, 2);
      if (r.r1 == 1 && r.r2 == 1) {
        runner.close();
      } else {
        List<Runnable> unused = runner.asExecutorService().shutdownNow();
      }
    }

    private static int ran(@Nullable ListenableFuture<Integer> future, int expected) {
      if (future == null) {
        return 0;
      }
      try {
        return future.get(30, TimeUnit.SECONDS) == expected ? 1 : 0;
      } catch (ExecutionException | TimeoutException e) {
        return 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 0;
      }
    }
  }
}
