package io.taskrunner.strategies.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An unbounded FIFO queue of tasks, linked through the tasks themselves: the Michael–Scott
 * non-blocking queue, with the task objects as its nodes. Enqueueing a task allocates nothing, which
 * is the point: a pool built on a {@code ForkJoinPool} needs a second object per task (the pool's
 * own task type) on top of the future.
 *
 * <p>Algorithm: {@code head} is a dummy node, the last task taken (or a stub: at first, and after
 * {@link #forgetLastTaken}); the queued
 * tasks follow it through {@code TaskFuture.queueNext}. {@link #poll} swings {@code head} to the
 * next node by CAS and returns that node, which becomes the new dummy; {@link #offer} links a task
 * after the last node by CAS, then swings {@code tail} (a hint, which may lag behind) by CAS. A
 * node that leaves the queue is linked to itself, so that a future a caller keeps does not keep the
 * tasks queued after it reachable; a reader that finds a self-link knows its node left the queue
 * and starts again from {@code head}, from which every queued task is reachable (as in {@link
 * java.util.concurrent.ConcurrentLinkedQueue}). A task must be offered at most once, ever.
 *
 * <p>Concurrency: any number of threads may offer and poll at once; each offered task is returned
 * by exactly one {@code poll} (or none, if nobody polls), and tasks offered by one thread are
 * returned in the order it offered them. Offering happens-before the poll that returns the task.
 * Lock-free: a thread that stalls never stops the others. {@code TaskQueueStress} in jcstress-tests
 * checks the exactly-once and order properties.
 *
 * <p>Layout: {@code head} (written by the polling threads) and {@code tail} (by the offering
 * threads) each sit alone on their cache lines.
 */
@SuppressWarnings("ReferenceEquality") // nodes are compared by identity
public final class TaskQueue extends TaskQueueLayout.TailField {
  private static final VarHandle HEAD;
  private static final VarHandle TAIL;
  private static final VarHandle NEXT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      HEAD = lookup.findVarHandle(TaskQueueLayout.HeadField.class, "head", TaskFuture.class);
      TAIL = lookup.findVarHandle(TaskQueueLayout.TailField.class, "tail", TaskFuture.class);
      NEXT = lookup.findVarHandle(TaskFuture.class, "queueNext", TaskFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("UnusedVariable") // padding after tail
  private long p21, p22, p23, p24, p25, p26, p27, p28;

  private final AbstractTaskRunner runner;

  /** An empty queue; {@code runner} owns the stubs that serve as its dummy nodes. */
  public TaskQueue(AbstractTaskRunner runner) {
    this.runner = runner;
    TaskFuture<?> stub = new Stub(runner);
    HEAD.setRelease(this, stub);
    TAIL.setRelease(this, stub);
  }

  /** Appends {@code task}, which must never have been offered before. */
  public void offer(TaskFuture<?> task) {
    TaskFuture<?> t = tail();
    TaskFuture<?> p = t;
    for (; ; ) {
      TaskFuture<?> q = next(p);
      if (q == null) {
        if (NEXT.compareAndSet(p, (TaskFuture<?>) null, task)) {
          // The tail is a hint; losing this race to another offer is fine.
          boolean unused = TAIL.compareAndSet(this, t, task);
          return;
        }
        // Another task was linked after p first: read p's link again.
      } else if (q == p) {
        // p left the queue: start again from a fresh tail, or from head if the tail is stale.
        TaskFuture<?> fresh = tail();
        if (fresh != t) {
          t = fresh;
          p = fresh;
        } else {
          p = head();
        }
      } else {
        p = q;
      }
    }
  }

  /** Removes and returns the oldest task, or {@code null} if the queue is empty. */
  public @Nullable TaskFuture<?> poll() {
    for (; ; ) {
      TaskFuture<?> h = head();
      TaskFuture<?> n = next(h);
      if (n == null) {
        return null;
      }
      if (n != h && HEAD.compareAndSet(this, h, n)) {
        NEXT.setRelease(h, h); // h left the queue: let it forget the tasks after it
        if (n instanceof Stub) {
          continue; // left by forgetLastTaken: now the dummy, and nobody's task
        }
        return n;
      }
      // h left the queue meanwhile (self-linked, or head moved on): read head again.
    }
  }

  /**
   * If the queue is empty and its dummy node is the last task taken, makes a fresh stub the dummy
   * instead, so that an idle queue keeps no finished task (and its result) reachable. Costs an
   * allocation and three CASes: for a thread about to park, not for every poll.
   *
   * @return a task offered meanwhile, which the caller now owns and must run; or {@code null}
   */
  public @Nullable TaskFuture<?> forgetLastTaken() {
    TaskFuture<?> h = head();
    if (h instanceof Stub || next(h) != null) {
      return null;
    }
    offer(new Stub(runner));
    return poll(); // moves head onto the stub (skipping it), or returns a task queued before it
  }

  /**
   * Whether the queue held no task at some point during the call. A task offered concurrently may
   * or may not be seen; one whose {@code offer} returned before this call is seen. Volatile reads,
   * so that a thread's store, full fence, then this check form a Dekker handshake with an offer
   * under the Java memory model itself, not just on x86 (see {@code WorkerPool}). May report a
   * stub left by {@link #forgetLastTaken} as a task: a poll then returns {@code null}.
   */
  public boolean isEmpty() {
    TaskFuture<?> h = (TaskFuture<?>) HEAD.getVolatile(this);
    return NEXT.getVolatile(h) == null;
  }

  /** Moves every queued task to {@code into}, oldest first. */
  public void drainTo(List<? super TaskFuture<?>> into) {
    for (TaskFuture<?> task; (task = poll()) != null; ) {
      into.add(task);
    }
  }

  private TaskFuture<?> head() {
    return (TaskFuture<?>) HEAD.getAcquire(this);
  }

  private TaskFuture<?> tail() {
    return (TaskFuture<?>) TAIL.getAcquire(this);
  }

  private static @Nullable TaskFuture<?> next(TaskFuture<?> node) {
    return (TaskFuture<?>) NEXT.getAcquire(node);
  }

  /**
   * A dummy node that is nobody's task: the queue's first, and those left by {@link
   * #forgetLastTaken}. Never returned by {@link #poll}, never run.
   */
  private static final class Stub extends TaskFuture<Void> {
    Stub(AbstractTaskRunner runner) {
      super(runner, true);
    }

    @Override
    protected void runBody() {
      throw new AssertionError("a queue's stub node is never run");
    }
  }
}
