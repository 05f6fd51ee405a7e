package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import io.taskrunner.strategies.internal.TaskFuture;
import io.taskrunner.strategies.internal.TaskQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The CPU pool's wake-up handshake ({@code WorkerPool}). A submitter queues its task (a CAS), then
 * reads {@code ctl} (started, idle and spinning thread counts) and wakes a thread only if none
 * spins and one is idle (or one more may start). A thread going to park sets its {@code parked}
 * flag, moves itself from spinning to idle with an atomic add, looks at the queues again, and
 * parks only if they are empty; it sets {@code sleeping} before its last read of {@code parked}.
 * A waker claims {@code parked} by CAS, moves the count back to spinning, and unparks the thread
 * only if it reads {@code sleeping}. The race is the classic lost wake-up: the thread looks at the
 * queue just before the task lands while the submitter reads {@code ctl} just before the thread
 * counts itself idle, and nobody runs the task while the thread sleeps (or the waker claims the
 * flag but misses that the thread is about to park). A second race hands the watch on: a thread
 * stops spinning because it found a task while a submitter, which saw it spinning, woke nobody; if
 * work is left, that thread must wake (or start) one.
 *
 * <p>The {@code Simple} and {@code HandOff} cases are faithful models of {@code WorkerPool}'s
 * operations (same order, same kinds of atomic operation, same {@code ctl} layout) with a counter
 * as the queue; their {@code OnTaskQueue} twins run the same model over the real {@code
 * TaskQueue}, whose {@code isEmpty} reads with acquire loads after the {@code ctl} add. The {@code
 * Actual} cases use the shipped pool through {@code Runners}. Each case's Javadoc says what its
 * fields mean.
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.WorkerPoolStress'}
 */
public final class WorkerPoolStress {
  private WorkerPoolStress() {}

  // Worker paths through awaitWork, as recorded by the Simple cases.
  private static final int TOOK_ITSELF_BACK = 1;
  private static final int CLAIMED_WHILE_CHECKING = 2;
  private static final int SAW_CLAIM = 3;
  private static final int PARKS = 4;

  /**
   * The handshake in isolation: one pool thread (parallelism 1, started, spinning) that found no
   * work goes to park ({@code awaitWork}) while a submitter queues a task and runs {@code
   * execute}'s wake-up ({@code needsWake}, {@code signal}, {@code wake}). r1: whether the submitter
   * claimed the thread's {@code parked} flag; r2: whether it unparked it; r3: the thread's path
   * (1 = saw the task and took itself back, 2 = saw the task but had been claimed already, 3 = saw
   * no task, then saw the claim before parking, 4 = saw no task and its flag still set: it parks);
   * r4: 1 if {@code ctl} ends as "1 started, 1 spinning" and the flag clear, else 0.
   */
  @JCStressTest
  @Outcome(
      id = "0, 0, 1, 1",
      expect = ACCEPTABLE,
      desc = "the thread saw the task and stayed awake; the submitter woke nobody")
  @Outcome(
      id = "1, 0, 2, 1",
      expect = ACCEPTABLE,
      desc = "the thread saw the task, but the submitter had claimed it first (no unpark needed)")
  @Outcome(
      id = "1, 0, 3, 1",
      expect = ACCEPTABLE,
      desc = "the submitter claimed the thread before it set sleeping; it did not park")
  @Outcome(
      id = "1, 1, 3, 1",
      expect = ACCEPTABLE,
      desc = "the thread saw the claim after setting sleeping; a harmless spare unpark")
  @Outcome(
      id = "1, 1, 4, 1",
      expect = ACCEPTABLE,
      desc = "the thread parked and the submitter unparked it")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "lost wake-up: the thread parks with the task queued and nobody unparks it; or the"
              + " counts or the flag end wrong")
  @State
  public static class Simple {
    private final Pool pool = new Pool(1, new Counter());

    @Actor
    public void submitter() {
      boolean unused = pool.execute(); // false: with no room to start a thread it can only wake
    }

    @Actor
    public void worker(IIII_Result r) {
      r.r3 = pool.awaitWork();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      pool.recordWake(r);
    }
  }

  /**
   * {@link Simple} with the real {@code TaskQueue} as the queue: the submitter's {@code offer}
   * (CAS) and the thread's {@code isEmpty} (acquire loads of {@code head} and its link) must order
   * as the model's counter does. Fields as in {@link Simple}.
   */
  @JCStressTest
  @Outcome(
      id = "0, 0, 1, 1",
      expect = ACCEPTABLE,
      desc = "the thread saw the task and stayed awake; the submitter woke nobody")
  @Outcome(
      id = "1, 0, 2, 1",
      expect = ACCEPTABLE,
      desc = "the thread saw the task, but the submitter had claimed it first (no unpark needed)")
  @Outcome(
      id = "1, 0, 3, 1",
      expect = ACCEPTABLE,
      desc = "the submitter claimed the thread before it set sleeping; it did not park")
  @Outcome(
      id = "1, 1, 3, 1",
      expect = ACCEPTABLE,
      desc = "the thread saw the claim after setting sleeping; a harmless spare unpark")
  @Outcome(
      id = "1, 1, 4, 1",
      expect = ACCEPTABLE,
      desc = "the thread parked and the submitter unparked it")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "lost wake-up: the thread parks with the task queued and nobody unparks it; or the"
              + " counts or the flag end wrong")
  @State
  public static class SimpleOnTaskQueue {
    private final Pool pool = new Pool(1, new RealQueue(1));

    @Actor
    public void submitter() {
      boolean unused = pool.execute(); // false: with no room to start a thread it can only wake
    }

    @Actor
    public void worker(IIII_Result r) {
      r.r3 = pool.awaitWork();
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      pool.recordWake(r);
    }
  }

  /**
   * Handing the watch on: a pool of at most 2 threads, 1 started and spinning, with one task
   * queued. The thread takes it and stops spinning ({@code stopSpinning}) while a submitter queues
   * a second task ({@code execute}). Whoever sees no thread spinning and the task queued starts
   * one (the pool's {@code signal}); exactly one of them must. r1: the submitter started a thread;
   * r2: the thread did (in {@code stopSpinning}), or 9 if it found no task to take; r3, r4: the
   * spinning and started counts at the end.
   */
  @JCStressTest
  @Outcome(
      id = "1, 0, 1, 2",
      expect = ACCEPTABLE,
      desc = "the submitter saw no thread spinning and started one")
  @Outcome(
      id = "0, 1, 1, 2",
      expect = ACCEPTABLE,
      desc = "the submitter saw the thread still spinning; the thread, last to stop, started one")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "lost wake-up: the second task queued with no thread spinning and none started; or two"
              + " started, or the counts end wrong")
  @State
  public static class HandOff {
    private final Pool pool = new Pool(2, new Counter());

    public HandOff() {
      pool.queue.offer();
    }

    @Actor
    public void submitter(IIII_Result r) {
      r.r1 = pool.execute() ? 1 : 0;
    }

    @Actor
    public void worker(IIII_Result r) {
      r.r2 = pool.queue.take() ? (pool.stopSpinning() ? 1 : 0) : 9;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      pool.recordCounts(r);
    }
  }

  /** {@link HandOff} with the real {@code TaskQueue} as the queue. Fields as in {@link HandOff}. */
  @JCStressTest
  @Outcome(
      id = "1, 0, 1, 2",
      expect = ACCEPTABLE,
      desc = "the submitter saw no thread spinning and started one")
  @Outcome(
      id = "0, 1, 1, 2",
      expect = ACCEPTABLE,
      desc = "the submitter saw the thread still spinning; the thread, last to stop, started one")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "lost wake-up: the second task queued with no thread spinning and none started; or two"
              + " started, or the counts end wrong")
  @State
  public static class HandOffOnTaskQueue {
    private final Pool pool = new Pool(2, new RealQueue(2));

    public HandOffOnTaskQueue() {
      pool.queue.offer();
    }

    @Actor
    public void submitter(IIII_Result r) {
      r.r1 = pool.execute() ? 1 : 0;
    }

    @Actor
    public void worker(IIII_Result r) {
      r.r2 = pool.queue.take() ? (pool.stopSpinning() ? 1 : 0) : 9;
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      pool.recordCounts(r);
    }
  }

  /**
   * The shipped pool as users get it ({@code cpuBound().maxConcurrency(2)}, shared by all samples
   * of a fork): two submitters each queue a no-op task while the pool's threads run the previous
   * samples' tasks, spin, and park in between. Each field: 1 if that submitter's task completed
   * within 5 s, 0 if it did not (lost wake-up: queued with every thread parked), 2 if it failed.
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both tasks ran")
  @Outcome(expect = FORBIDDEN, desc = "a task was left queued (lost wake-up) or failed")
  @State
  public static class Actual {
    private static final TaskRunner POOL =
        Runners.forWorkload(Workload.cpuBound().maxConcurrency(2).named("stress-wake"));

    private volatile @Nullable ListenableFuture<Integer> first;
    private volatile @Nullable ListenableFuture<Integer> second;

    @Actor
    public void submitter1() {
      first = POOL.submit(() -> 1);
    }

    @Actor
    public void submitter2() {
      second = POOL.submit(() -> 2);
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = completed(first, 1);
      r.r2 = completed(second, 2);
    }
  }

  /**
   * As {@link Actual}, but the first submitter's task submits a task itself, from a pool thread: it
   * goes to that thread's own lane while the thread is busy, so another thread must be woken (or
   * the busy one must find it afterwards), while a second submitter queues from outside. r1: the
   * nested task; r2: the outside one (1 = completed within 5 s, 0 = not, 2 = failed).
   */
  @JCStressTest
  @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both tasks ran")
  @Outcome(expect = FORBIDDEN, desc = "a task was left queued (lost wake-up) or failed")
  @State
  public static class ActualNested {
    private static final TaskRunner POOL =
        Runners.forWorkload(Workload.cpuBound().maxConcurrency(2).named("stress-wake-nested"));

    private volatile @Nullable ListenableFuture<ListenableFuture<Integer>> outer;
    private volatile @Nullable ListenableFuture<Integer> second;

    @Actor
    public void nestedSubmitter() {
      outer = POOL.submit(() -> POOL.submit(() -> 1));
    }

    @Actor
    public void submitter() {
      second = POOL.submit(() -> 2);
    }

    @Arbiter
    public void arbiter(II_Result r) {
      ListenableFuture<ListenableFuture<Integer>> o = outer;
      r.r1 = o == null ? 2 : nestedCompleted(o);
      r.r2 = completed(second, 2);
    }
  }

  /** As {@link #completed}, for the future that {@code outer} yields (each waited for 5 s). */
  private static int nestedCompleted(Future<? extends Future<Integer>> outer) {
    try {
      return completed(outer.get(5, TimeUnit.SECONDS), 1);
    } catch (TimeoutException e) {
      return 0;
    } catch (ExecutionException | CancellationException e) {
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 2;
    }
  }

  /** 1 if {@code future} yields {@code expected} within 5 s, 0 if it is not done by then, else 2. */
  private static int completed(@Nullable Future<Integer> future, int expected) {
    if (future == null) {
      return 2;
    }
    try {
      return future.get(5, TimeUnit.SECONDS) == expected ? 1 : 2;
    } catch (TimeoutException e) {
      return 0;
    } catch (ExecutionException | CancellationException e) {
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 2;
    }
  }

  // ---- the model ------------------------------------------------------------------------------

  /**
   * {@code WorkerPool}'s wake-up protocol for one thread that may park (the only one whose flags
   * are modelled), with its {@code ctl} layout and operations in the same order. Unparking is
   * recorded, not done: the actor playing the thread records whether it would park.
   */
  private static final class Pool {
    private static final long SPINNING = 1L;
    private static final long IDLE = 1L << 16;
    private static final long STARTED = 1L << 32;
    private static final long MASK = 0xFFFFL;

    final Work queue;
    private final int parallelism;

    /** Starts with one thread started and spinning. */
    private final AtomicLong ctl = new AtomicLong(STARTED + SPINNING);

    private final AtomicBoolean parked = new AtomicBoolean();
    private volatile boolean sleeping;
    private final AtomicInteger claims = new AtomicInteger();
    private final AtomicInteger unparks = new AtomicInteger();

    Pool(int parallelism, Work queue) {
      this.parallelism = parallelism;
      this.queue = queue;
    }

    /** {@code execute}: queues a task, then wakes; true if it started a thread. */
    boolean execute() {
      queue.offer(); // a CAS: ordered before the read of ctl
      return needsWake(ctl.get()) && signal();
    }

    private boolean needsWake(long c) {
      return (c & MASK) == 0
          && (((c >>> 16) & MASK) > 0 || ((c >>> 32) & MASK) < parallelism);
    }

    /** {@code signal}: wakes the parked thread or starts one; true if it started one. */
    private boolean signal() {
      for (int attempts = 0; attempts < 2 * parallelism + 2; attempts++) {
        long c = ctl.get();
        if (!needsWake(c)) {
          return false;
        }
        if (((c >>> 16) & MASK) > 0) {
          if (wake()) {
            return false;
          }
        } else if (ctl.compareAndSet(c, c + STARTED + SPINNING)) {
          return true; // start(index): the new thread counts as spinning
        }
      }
      return false;
    }

    /** {@code wake}: claims the flag, moves the count, "unparks" if the thread sleeps. */
    private boolean wake() {
      if (parked.get() && parked.compareAndSet(true, false)) {
        ctl.getAndAdd(SPINNING - IDLE);
        claims.incrementAndGet();
        if (sleeping) {
          unparks.incrementAndGet(); // LockSupport.unpark
        }
        return true;
      }
      return false;
    }

    /** {@code stopSpinning}; true if it started a thread. */
    boolean stopSpinning() {
      long c = ctl.addAndGet(-SPINNING); // a full fence, then hasWork
      return needsWake(c) && queue.hasWork() && signal();
    }

    /**
     * {@code awaitWork} for a spinning thread that found no work, up to the point where it would
     * call {@code LockSupport.park}; the pool is not shut down. Returns the path taken.
     */
    int awaitWork() {
      parked.set(true);
      ctl.getAndAdd(IDLE - SPINNING); // a full fence: the flag and the count before the checks
      if (queue.hasWork()) {
        if (parked.compareAndSet(true, false)) {
          ctl.getAndAdd(SPINNING - IDLE);
          return TOOK_ITSELF_BACK;
        }
        return CLAIMED_WHILE_CHECKING;
      }
      sleeping = true; // then read parked again (see wake)
      if (parked.get()) {
        return PARKS; // it parks: only the claimant's unpark gets it out
      }
      sleeping = false;
      return SAW_CLAIM;
    }

    /** r1: claims, r2: unparks; r4: whether ctl and the flag end consistent (r3 is the thread's). */
    void recordWake(IIII_Result r) {
      r.r1 = claims.get();
      r.r2 = unparks.get();
      r.r4 = ctl.get() == STARTED + SPINNING && !parked.get() ? 1 : 0;
    }

    /** r3: spinning, r4: started at the end; -1, -1 if any thread counts as idle. */
    void recordCounts(IIII_Result r) {
      long c = ctl.get();
      boolean noIdle = ((c >>> 16) & MASK) == 0;
      r.r3 = noIdle ? (int) (c & MASK) : -1;
      r.r4 = noIdle ? (int) ((c >>> 32) & MASK) : -1;
    }
  }

  /** The queues the model looks at: offer a task, take one, and whether one is there. */
  private interface Work {
    void offer();

    boolean take();

    boolean hasWork();
  }

  /** A counter as the queue; offering and taking are atomic updates (full fences), as CASes are. */
  private static final class Counter implements Work {
    private final AtomicInteger queued = new AtomicInteger();

    @Override
    public void offer() {
      queued.incrementAndGet();
    }

    @Override
    public boolean take() {
      for (int n; (n = queued.get()) > 0; ) {
        if (queued.compareAndSet(n, n - 1)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean hasWork() {
      return queued.get() > 0;
    }
  }

  /** The real {@code TaskQueue} and real tasks, offered in turn by one thread at a time. */
  private static final class RealQueue implements Work {
    private final TaskQueue queue = TaskQueueStress.newQueue();
    private final TaskFuture<?>[] tasks;
    private int offered; // the constructor offers first, then one actor: ordered by the harness

    RealQueue(int tasks) {
      this.tasks = new TaskFuture<?>[tasks];
      for (int i = 0; i < tasks; i++) {
        this.tasks[i] = TaskQueueStress.newTask();
      }
    }

    @Override
    public void offer() {
      queue.offer(tasks[offered++]);
    }

    @Override
    public boolean take() {
      return queue.poll() != null;
    }

    @Override
    public boolean hasWork() {
      return !queue.isEmpty();
    }
  }
}
