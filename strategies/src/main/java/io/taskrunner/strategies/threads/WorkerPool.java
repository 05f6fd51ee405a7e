package io.taskrunner.strategies.threads;

import io.taskrunner.strategies.internal.AbstractTaskRunner;
import io.taskrunner.strategies.internal.StatsRecorder;
import io.taskrunner.strategies.internal.TaskFuture;
import io.taskrunner.strategies.internal.TaskQueue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The CPU runner's work-stealing pool: up to {@code parallelism} platform threads, each with a
 * queue (a <em>lane</em>) of its own, that run the runner's {@link TaskFuture}s directly.
 *
 * <p>Why not a {@code ForkJoinPool}: it only runs its own task type, so every task needed a second
 * object around its future, and its general machinery (submission queues found by thread probe,
 * joins that help) is work that no-op-sized tasks pay for and ours never use. Here a task is queued
 * through a field of its own ({@link TaskQueue}), and the pool does three things: queue, steal,
 * wake.
 *
 * <ul>
 *   <li><b>Queue.</b> A task submitted from one of this pool's threads goes to that thread's lane;
 *       one from any other thread goes to the lanes in turn.
 *   <li><b>Steal.</b> A thread takes from its own lane first, then from the others in order.
 *       Continuations (outside admission control) have a queue of their own, which a thread looks
 *       at first on every other pick, so that a stream of tasks cannot starve the stages whose
 *       completion frees async tasks' slots.
 *   <li><b>Wake</b>, the way Go's scheduler does. A thread without work <em>spins</em> (polls every
 *       lane) {@value #SPINS} times before it parks. {@code ctl} counts the started, spinning and
 *       idle (parked) threads. A submitter wakes a parked thread, or starts one, only when no
 *       thread spins: a spinning thread will find the task within a poll. A thread that stops
 *       spinning because it found work, and was the last one spinning, wakes another if work is
 *       left, so that work queued while every other thread is busy still finds a thread. So a
 *       submitter that keeps the pool busy pays one volatile read per task, and a system call
 *       (unpark) only when the pool was asleep.
 * </ul>
 *
 * <p>Parking, without a lost wake-up: a thread sets its {@code parked} flag and moves itself from
 * spinning to idle in {@code ctl} (an atomic add: a full fence), then looks at every lane again; a
 * submitter queues its task (a CAS: a full fence), then reads {@code ctl}. So either the thread
 * sees the task, or the submitter sees no spinner and an idle thread, whose flag is already set;
 * it claims the flag by CAS and moves the thread back to spinning. Whoever wins the flag's CAS
 * moves the count. The thread sets {@code sleeping} before it reads its flag a last time and
 * parks; a waker unparks it only if it sleeps, so that a thread caught before it parks costs no
 * system call. {@code WorkerPoolStress} in jcstress-tests checks this handshake.
 *
 * <p>Lifecycle: threads start on demand and then stay until {@link #shutdown}, which the runner
 * calls once its last task finished; each thread then runs what is left (continuations) and ends.
 * A continuation offered after that, or when no thread is alive to run it, is refused, so that the
 * caller runs it itself. A thread that cannot be started gives its slot back; the submit that
 * needed it fails only if no thread at all is alive. An error escaping the pool's own code (an
 * {@code OutOfMemoryError} while polling, say) is reported to the thread's uncaught-exception
 * handler and the thread carries on, its counts intact; task code never throws here, as a task
 * fails its own future. Threads do not inherit the starting thread's inheritable thread-locals.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
final class WorkerPool {
  /** How many times a thread without work polls every queue before it parks. */
  static final int SPINS = 64;

  // ctl: three 16-bit counts, moved by adding combinations of units (say, idle minus spinning).
  // A waker can claim a thread between its `parked` flag and its own move from spinning to idle,
  // so idle may dip below zero (borrowing from started) until those moves land; meanwhile
  // spinning counts each such thread twice, so needsWake is false and nothing acts on the dip.
  private static final long SPINNING = 1L;
  private static final long IDLE = 1L << 16;
  private static final long STARTED = 1L << 32;
  private static final long MASK = 0xFFFFL;

  private static final VarHandle CTL;
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Worker[].class);

  static {
    try {
      CTL = MethodHandles.lookup().findVarHandle(WorkerPool.class, "ctl", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final StatsRecorder stats;
  private final String threadNamePrefix;
  private final TaskQueue[] lanes;
  private final @Nullable Worker[] workers;
  private final ConcurrentLinkedQueue<Runnable> continuations = new ConcurrentLinkedQueue<>();

  /** The lane for the next task from outside the pool (see {@link LaneCursor}). */
  private final LaneCursor cursor = new LaneCursor();

  /** Started, idle and spinning threads (see the constants); accessed through CTL. */
  @SuppressWarnings("UnusedVariable")
  private volatile long ctl;

  private volatile boolean shutdown;

  /**
   * @param runner the runner whose tasks this pool runs
   * @param stats where the threads count their tasks
   * @param parallelism how many threads, at most (at most 65 535)
   * @param threadNamePrefix the threads' names, before their index
   */
  WorkerPool(
      AbstractTaskRunner runner, StatsRecorder stats, int parallelism, String threadNamePrefix) {
    if (parallelism > MASK) {
      throw new IllegalArgumentException("at most " + MASK + " threads: " + parallelism);
    }
    this.stats = stats;
    this.threadNamePrefix = threadNamePrefix;
    this.lanes = new TaskQueue[parallelism];
    for (int i = 0; i < parallelism; i++) {
      lanes[i] = new TaskQueue(runner);
    }
    this.workers = new Worker[parallelism];
  }

  /**
   * Queues {@code task} and makes sure a thread will run it.
   *
   * @throws RuntimeException or {@link Error} if the pool has no thread and none could be started
   *     (the task stays queued: the caller must fail it)
   */
  void execute(TaskFuture<?> task) {
    int lane =
        Thread.currentThread() instanceof Worker w && w.pool == this
            ? w.index
            : cursor.next(lanes.length);
    lanes[lane].offer(task); // a CAS: ordered before the read of ctl in needsWake
    if (needsWake((long) CTL.getVolatile(this))) {
      signal();
    }
  }

  /**
   * Runs {@code command} on a pool thread, outside the runner's admission control.
   *
   * @throws RejectedExecutionException if the pool was shut down: the caller should run it
   */
  void executeContinuation(Runnable command) {
    if (shutdown) {
      throw new RejectedExecutionException("pool shut down");
    }
    continuations.add(command); // a CAS: ordered before the reads of ctl and shutdown below
    Throwable startFailure = null;
    try {
      if (needsWake((long) CTL.getVolatile(this))) {
        signal();
      }
    } catch (RuntimeException | Error e) {
      startFailure = e; // no thread could be started; one that is alive may still run it
    }
    // Shut down meanwhile (the threads may have ended without seeing the command), or no thread
    // to run it: take it back, unless a thread already took it, and let the caller run it.
    if ((shutdown || (startFailure != null && !anyAlive())) && continuations.remove(command)) {
      throw new RejectedExecutionException(
          shutdown ? "pool shut down" : "no pool thread could be started", startFailure);
    }
  }

  /** Removes and returns the queued tasks, oldest of each lane first. */
  List<TaskFuture<?>> drain() {
    List<TaskFuture<?>> drained = new ArrayList<>();
    for (TaskQueue lane : lanes) {
      lane.drainTo(drained);
    }
    return drained;
  }

  /** Calls {@code action} with each thread that runs a task now, and that task. */
  void forEachRunning(BiConsumer<? super Worker, TaskFuture<?>> action) {
    for (int i = 0; i < workers.length; i++) {
      Worker w = slot(i);
      TaskFuture<?> current = w == null ? null : w.current();
      if (current != null) {
        action.accept(w, current);
      }
    }
  }

  boolean isOwnThread(Thread thread) {
    return thread instanceof Worker w && w.pool == this;
  }

  /** Lets the threads end once nothing is queued; wakes the parked ones so that they see it. */
  void shutdown() {
    shutdown = true; // a volatile write, then the reads of each flag in wake: see awaitWork
    for (int i = 0; i < workers.length; i++) {
      Worker w = slot(i);
      if (w != null) {
        boolean unused = wake(w); // false: it is awake, and will see shutdown before it parks
      }
    }
  }

  /** Waits up to {@code nanos} for every started thread to end, after {@link #shutdown}. */
  boolean awaitTermination(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    for (int i = 0; i < workers.length; i++) {
      Worker w = slot(i);
      if (w != null && w.isAlive()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !w.join(Duration.ofNanos(left))) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether every started thread has ended. */
  boolean isTerminated() {
    for (int i = 0; i < workers.length; i++) {
      Worker w = slot(i);
      if (w != null && w.isAlive()) {
        return false;
      }
    }
    return true;
  }

  // ---- waking and parking ---------------------------------------------------------------------

  /** Whether, with counts {@code c}, queued work needs a thread woken or started. */
  private boolean needsWake(long c) {
    return (c & MASK) == 0 && (((c >>> 16) & MASK) > 0 || ((c >>> 32) & MASK) < workers.length);
  }

  /**
   * Makes one more thread spin, if none does: wakes a parked one, or starts one while there is
   * room.
   */
  private void signal() {
    for (int attempts = 0; attempts < 2 * workers.length + 2; attempts++) {
      long c = (long) CTL.getVolatile(this);
      if (!needsWake(c) || shutdown) {
        return;
      }
      if (((c >>> 16) & MASK) > 0) {
        for (int i = 0; i < workers.length; i++) {
          Worker w = slot(i);
          if (w != null && wake(w)) {
            return;
          }
        }
        // The idle one is taking itself back (between its CAS and its count): it will poll.
      } else if (CTL.compareAndSet(this, c, c + STARTED + SPINNING)) {
        start();
        return;
      }
    }
  }

  /**
   * Starts a thread in a free slot, counted started and spinning by the caller. Slots are taken by
   * CAS, not by the started count, so that a slot given back after a failed start is reused.
   */
  private void start() {
    for (int i = 0; i < workers.length; i++) {
      if (slot(i) != null) {
        continue;
      }
      Worker w;
      try {
        w = new Worker(this, i, threadNamePrefix + i);
      } catch (RuntimeException | Error e) {
        CTL.getAndAdd(this, -STARTED - SPINNING);
        throw e;
      }
      if (!SLOTS.compareAndSet(workers, i, (Worker) null, w)) {
        continue;
      }
      if (shutdown) {
        // shutdown's scan may have missed the slot: a never-started thread is not alive, which
        // is all that termination needs
        return;
      }
      try {
        w.setDaemon(true);
        w.start();
      } catch (RuntimeException | Error e) {
        // No native thread to be had (OutOfMemoryError, typically): give the slot back.
        SLOTS.setVolatile(workers, i, (Worker) null);
        CTL.getAndAdd(this, -STARTED - SPINNING);
        if (!anyAlive()) {
          throw e; // no thread at all will run the task: let the submitter fail it
        }
      }
      return;
    }
    // Unreachable: each started thread holds one slot, and fewer than workers.length are started.
    CTL.getAndAdd(this, -STARTED - SPINNING);
  }

  /** Whether some thread of this pool has started and not ended. */
  private boolean anyAlive() {
    for (int i = 0; i < workers.length; i++) {
      Worker w = slot(i);
      if (w != null && w.isAlive()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Claims {@code w}'s parked flag, moves it from idle to spinning and unparks it if it sleeps;
   * false if it was not parked.
   */
  private boolean wake(Worker w) {
    if (w.isParked() && w.clearParked()) {
      CTL.getAndAdd(this, SPINNING - IDLE);
      // The CAS above is a full fence, and the thread sets `sleeping` before it reads `parked`
      // a last time: so either it sees the claim and does not park, or we see it sleeping.
      if (w.isSleeping()) {
        LockSupport.unpark(w);
      }
      return true;
    }
    return false;
  }

  /** {@code w} stopped spinning to run work; if it was the last spinner, hands the watch on. */
  private void stopSpinning() {
    long c = (long) CTL.getAndAdd(this, -SPINNING) - SPINNING; // a full fence, then hasWork
    if (needsWake(c) && hasWork()) {
      signal();
    }
  }

  private void startSpinning() {
    CTL.getAndAdd(this, SPINNING);
  }

  /**
   * Parks {@code w}, a spinning thread that found no work, until there may be work (see the class
   * comment). On return the thread counts as spinning again.
   *
   * @return false if the pool is shut down and nothing is left to run: the thread should end
   */
  private boolean awaitWork(Worker w) {
    w.setParked();
    CTL.getAndAdd(this, IDLE - SPINNING); // a full fence: the flag and the count before the checks
    if (shutdown || hasWork()) {
      if (w.clearParked()) {
        CTL.getAndAdd(this, SPINNING - IDLE);
      } // else a submitter or shutdown claimed the flag, and moved the count
    } else {
      w.setSleeping(true); // then read `parked` again (see wake)
      while (w.isParked()) {
        LockSupport.park(this);
        boolean unused = Thread.interrupted(); // a stray interrupt must not make park spin
      }
      w.setSleeping(false);
    }
    if (shutdown && !hasWork()) {
      CTL.getAndAdd(this, -SPINNING);
      return false;
    }
    return true;
  }

  private boolean hasWork() {
    for (TaskQueue lane : lanes) {
      if (!lane.isEmpty()) {
        return true;
      }
    }
    return !continuations.isEmpty();
  }

  /**
   * Takes a task or a continuation, from {@code w}'s lane first; {@code null} if there is none.
   */
  private @Nullable Object find(Worker w) {
    if ((++w.picks & 1) == 0) {
      Runnable continuation = continuations.poll();
      if (continuation != null) {
        return continuation;
      }
    }
    TaskQueue[] ls = lanes;
    int n = ls.length;
    for (int k = 0, i = w.index; k < n; k++) {
      TaskFuture<?> task = ls[i].poll();
      if (task != null) {
        return task;
      }
      if (++i == n) {
        i = 0;
      }
    }
    return continuations.poll();
  }

  /**
   * Before a thread parks: makes every empty lane drop the last task it handed out (see {@link
   * TaskQueue#forgetLastTaken}), so that an idle pool keeps no finished task reachable.
   *
   * @return a task that arrived meanwhile, for the caller to run; or {@code null}
   */
  private @Nullable TaskFuture<?> forgetLastTaken() {
    for (TaskQueue lane : lanes) {
      TaskFuture<?> task = lane.forgetLastTaken();
      if (task != null) {
        return task;
      }
    }
    return null;
  }

  private @Nullable Worker slot(int i) {
    return (Worker) SLOTS.getAcquire(workers, i);
  }

  /**
   * Padding before {@link LaneCursor#lane}. The int fills the 4 bytes after a compressed object
   * header, where HotSpot would otherwise put a subclass's int (it fills gaps in superclasses).
   */
  @SuppressWarnings("UnusedVariable") // padding
  private abstract static class LaneCursorPad {
    int p00;
    long p01, p02, p03, p04, p05, p06, p07, p08;
  }

  /**
   * Which lane the next task from outside the pool goes to: a counter that submitters move with
   * plain, racy writes (a lost update only sends two tasks to one lane), alone on its cache lines,
   * so that the pool threads' reads of the pool's fields do not miss on every submit.
   */
  @SuppressWarnings("UnusedVariable") // padding
  private static final class LaneCursor extends LaneCursorPad {
    private int lane;
    int p10;
    long p11, p12, p13, p14, p15, p16, p17, p18;

    int next(int lanes) {
      int current = lane;
      int next = current + 1;
      lane = next >= lanes ? 0 : next;
      return current < lanes ? current : 0;
    }
  }

  /**
   * One of the pool's threads. It publishes the task it runs (release store, read with acquire
   * semantics by {@code shutdownNow} and the stall watchdog) and counts its tasks in a stats cell
   * of its own.
   */
  static final class Worker extends StatsRecorder.CountingWorkerThread {
    private static final VarHandle CURRENT;
    private static final VarHandle PARKED;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        CURRENT = lookup.findVarHandle(Worker.class, "current", TaskFuture.class);
        PARKED = lookup.findVarHandle(Worker.class, "parked", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final WorkerPool pool;
    final int index;

    @SuppressWarnings("UnusedVariable") // accessed through CURRENT
    private @Nullable TaskFuture<?> current;

    /** Set by this thread before it parks; cleared by CAS by whoever wakes it, or by itself. */
    @SuppressWarnings("UnusedVariable") // accessed through PARKED
    private volatile boolean parked;

    /** Whether this thread is, or is about to be, in {@code LockSupport.park}. */
    private volatile boolean sleeping;

    /** How many times this thread looked for work; its parity alternates what it looks at first. */
    private int picks;

    Worker(WorkerPool pool, int index, String name) {
      super(pool.stats, name);
      this.pool = pool;
      this.index = index;
    }

    @Override
    protected void work() {
      WorkerPool p = pool;
      boolean spinning = true; // counted so by whoever started this thread
      for (; ; ) {
        try {
          Object work = p.find(this);
          if (work == null) {
            if (!spinning) {
              spinning = true;
              p.startSpinning();
            }
            for (int spin = 0; spin < SPINS && work == null; spin++) {
              Thread.onSpinWait();
              work = p.find(this);
            }
            if (work == null) {
              work = p.forgetLastTaken();
            }
            if (work == null) {
              if (!p.awaitWork(this)) {
                return;
              }
              continue; // spinning again
            }
          }
          if (spinning) {
            spinning = false;
            p.stopSpinning();
          }
          // A task ends with its own interrupts cleared (TaskFuture), but code may interrupt its
          // own thread and return: that must not reach the next task.
          boolean unused = Thread.interrupted();
          if (work instanceof TaskFuture<?> task) {
            runTask(task);
          } else {
            runContinuation((Runnable) work);
          }
        } catch (Throwable t) {
          // The pool's own code failed (an OutOfMemoryError while polling, say): report it and
          // carry on, so that the counts in ctl stay true. Task code never gets here.
          reportUncaught(t);
        }
      }
    }

    private void runTask(TaskFuture<?> task) {
      // Publishes the task for shutdownNow and the watchdog. It must be ordered before the task's
      // check for shutdownNow (a load), so that either that check sees the stop or cancelRunning
      // sees this task: a release store, then the task's claim of its state, a CAS, before that
      // check (TaskFuture.run). This relies on the CAS acting as a full fence, as it does on
      // HotSpot on every platform (a locked instruction on x86, a fenced exclusive pair on
      // AArch64); the Java memory model alone does not order a release store before a later
      // volatile read. The other side fences explicitly (shutdownNow).
      CURRENT.setRelease(this, task);
      try {
        task.run(); // never throws: the task fails its own future
      } finally {
        // A release store is enough: a cancelRunning that still sees the finished task cancels
        // a done future, a no-op.
        CURRENT.setRelease(this, (TaskFuture<?>) null);
      }
    }

    @SuppressWarnings("CatchingUnchecked") // a continuation's failure must not end the thread
    private void runContinuation(Runnable continuation) {
      try {
        continuation.run();
      } catch (Throwable t) {
        reportUncaught(t);
      }
    }

    @SuppressWarnings("CatchingUnchecked") // a failing handler must not end the thread either
    private void reportUncaught(Throwable t) {
      try {
        getUncaughtExceptionHandler().uncaughtException(this, t);
      } catch (Throwable ignored) {
        // nowhere left to report it
      }
    }

    @Nullable TaskFuture<?> current() {
      return (TaskFuture<?>) CURRENT.getAcquire(this);
    }

    boolean isParked() {
      return parked;
    }

    void setParked() {
      parked = true;
    }

    /** Clears the parked flag by CAS; true for the one caller that cleared it. */
    boolean clearParked() {
      return PARKED.compareAndSet(this, true, false);
    }

    boolean isSleeping() {
      return sleeping;
    }

    void setSleeping(boolean sleeping) {
      this.sleeping = sleeping;
    }
  }
}
