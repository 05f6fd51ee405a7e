package io.taskrunner.strategies.internal;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ListenableFuture} that its owner completes once, with the behaviour of Guava's {@code
 * AbstractFuture} (listeners run once each, in the order they were added; {@code get} throws
 * {@link CancellationException}, {@link ExecutionException} with the original cause, or {@link
 * TimeoutException}), at a fraction of its cost when nobody waits: completing it is one CAS.
 *
 * <p>Why not {@code AbstractFuture}: its completion always swaps both its waiter and its listener
 * lists for tombstones, three atomic instructions per task where one does. On the CPU runner's
 * no-op tasks that alone held a {@code ForkJoinPool} plus an {@code AbstractFuture} to about 0.8×
 * the pool's own tasks ({@code InterleavedThroughput guava} in benchmarks).
 *
 * <p>Concurrency: {@code result} goes from {@code null} to the outcome by one CAS, which decides
 * the race between completers. Threads blocked in {@code get} and listeners share one Treiber
 * stack, {@code stack}. A completer reads {@code stack} after its CAS and, only if something is
 * there, claims the whole stack by swapping in {@code TOMBSTONE}, wakes the waiters and runs the
 * listeners; whoever pushes onto the stack reads {@code result} after its push. Both sides write
 * then read the other's field, all volatile, so at least one of them sees the node. A pusher that
 * finds the future done runs only its own listener, as with Guava: listeners added before the
 * completion run on the completing thread, before {@code set} returns. So that a listener seen by
 * both runs once, running one takes its node's {@code taken} flag by CAS. A waiter that gives up
 * (timeout, interrupt) unlinks its node as {@link java.util.concurrent.FutureTask} does.
 * Thread-safe.
 */
public abstract class OneShotFuture<T extends @Nullable Object> implements ListenableFuture<T> {
  private static final System.Logger LOG = System.getLogger(OneShotFuture.class.getName());
  private static final VarHandle RESULT;
  private static final VarHandle STACK;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      RESULT = lookup.findVarHandle(OneShotFuture.class, "result", Object.class);
      STACK = lookup.findVarHandle(OneShotFuture.class, "stack", Node.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The result of a future completed with {@code null}. */
  private static final Object NULL = new Object();

  /** The result of a cancelled future. */
  private static final Cancelled CANCELLED = new Cancelled();

  /** Marks a stack that was claimed after completion: push nothing more onto it. */
  private static final Node TOMBSTONE = new Node(null, null, null);

  /** {@code null} while pending; then {@code NULL}, the value, a {@link Failure} or CANCELLED. */
  @SuppressWarnings("UnusedVariable") // accessed through RESULT
  private volatile @Nullable Object result;

  /** Waiters and listeners, newest first; {@code TOMBSTONE} once claimed after completion. */
  @SuppressWarnings("UnusedVariable") // accessed through STACK
  private volatile @Nullable Node stack;

  protected OneShotFuture() {}

  // ---- completion -------------------------------------------------------------------------------

  /** Completes with {@code value}; {@code false} if already done. */
  @CanIgnoreReturnValue
  protected boolean set(T value) {
    if (!RESULT.compareAndSet(this, null, value == null ? NULL : value)) {
      return false;
    }
    release();
    return true;
  }

  /** Completes with {@code failure}; {@code false} if already done. */
  @CanIgnoreReturnValue
  protected boolean setException(Throwable failure) {
    requireNonNull(failure, "failure");
    if (!RESULT.compareAndSet(this, null, new Failure(failure))) {
      return false;
    }
    release();
    return true;
  }

  /**
   * Cancels the future if it is not done; with {@code mayInterruptIfRunning}, calls {@link
   * #interruptTask} first, before waiters and listeners are released.
   */
  @CanIgnoreReturnValue
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (!RESULT.compareAndSet(this, null, CANCELLED)) {
      return false;
    }
    if (mayInterruptIfRunning) {
      interruptTask();
    }
    release();
    return true;
  }

  /** Called by a successful {@code cancel(true)}, before waiters and listeners are released. */
  protected void interruptTask() {}

  /** Wakes waiters and runs listeners: nothing to do, and no atomic instruction, if none came. */
  private void release() {
    if (stack != null) {
      claimAndRun();
    }
  }

  private void claimAndRun() {
    Node head = (Node) STACK.getAndSet(this, TOMBSTONE);
    if (head == null || head == TOMBSTONE) {
      return; // nothing there, or another claimer took it
    }
    // Read-only walk: a waiter giving up may be unlinking nodes of this chain right now.
    int listeners = 0;
    for (Node node = head; node != null; node = node.next) {
      Thread waiter = node.thread;
      if (waiter != null) {
        LockSupport.unpark(waiter);
      } else if (node.listener != null) {
        listeners++;
      }
    }
    if (listeners == 0) {
      return;
    }
    // Newest first: run them in the order they were added.
    Node[] ordered = new Node[listeners];
    int i = listeners;
    for (Node node = head; node != null && i > 0; node = node.next) {
      if (node.listener != null) {
        ordered[--i] = node;
      }
    }
    for (Node node : ordered) {
      if (node != null) {
        runOnce(node);
      }
    }
  }

  @Override
  public void addListener(Runnable listener, Executor executor) {
    requireNonNull(listener, "listener");
    requireNonNull(executor, "executor");
    if (result == null) {
      Node node = new Node(null, listener, executor);
      for (Node head = stack; head != TOMBSTONE; head = stack) {
        node.next = head;
        if (STACK.compareAndSet(this, head, node)) {
          if (result != null) {
            // The completer may have looked before our push. Run our own listener (unless the
            // completer took it meanwhile), never the others: they belong to the completer.
            runOnce(node);
            var unused = STACK.compareAndSet(this, node, node.next); // drop it if still on top
          }
          return;
        }
      }
    }
    execute(listener, executor);
  }

  /** Runs {@code node}'s listener unless another thread already took it. */
  private static void runOnce(Node node) {
    Runnable listener = node.listener;
    Executor executor = node.executor;
    if (listener != null && executor != null && Node.TAKEN.compareAndSet(node, false, true)) {
      execute(listener, executor);
    }
  }

  private static void execute(Runnable listener, Executor executor) {
    try {
      executor.execute(listener);
    } catch (Exception e) { // RuntimeException, or a checked one thrown sneakily
      // As Guava does: one failing executor must not keep the other listeners from running.
      LOG.log(
          System.Logger.Level.ERROR,
          "RuntimeException while executing runnable " + listener + " with executor " + executor,
          e);
    }
  }

  // ---- queries ----------------------------------------------------------------------------------

  @Override
  public final boolean isDone() {
    return result != null;
  }

  @Override
  public final boolean isCancelled() {
    return result instanceof Cancelled;
  }

  @Override
  public final T get() throws InterruptedException, ExecutionException {
    if (Thread.interrupted()) {
      throw new InterruptedException(); // as Guava's futures do, even when done
    }
    Object r = result;
    if (r == null) {
      r = requireNonNull(awaitDone(false, 0L)); // untimed: returns only with the result
    }
    return report(r);
  }

  @Override
  public final T get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    long nanos = unit.toNanos(timeout);
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    Object r = result;
    if (r == null) {
      r = awaitDone(true, nanos);
      if (r == null) {
        throw new TimeoutException(
            String.format(
                Locale.ROOT,
                "Waited %d %s for %s",
                timeout,
                unit.toString().toLowerCase(Locale.ROOT),
                this));
      }
    }
    return report(r);
  }

  /** Waits for the result; {@code null} if {@code timed} and {@code nanos} passed first. */
  private @Nullable Object awaitDone(boolean timed, long nanos) throws InterruptedException {
    long deadline = timed ? System.nanoTime() + nanos : 0L;
    Node node = null;
    boolean queued = false;
    for (; ; ) {
      Object r = result;
      if (r != null) {
        if (node != null) {
          node.thread = null; // a completer that still sees it need not wake us
        }
        return r;
      }
      if (Thread.interrupted()) {
        if (node != null) {
          removeWaiter(node);
        }
        throw new InterruptedException();
      }
      if (node == null) {
        if (timed && nanos <= 0) {
          return null;
        }
        node = new Node(Thread.currentThread(), null, null);
      } else if (!queued) {
        Node head = stack;
        if (head != TOMBSTONE) { // else the result is set: read it on the next turn
          node.next = head;
          queued = STACK.compareAndSet(this, head, node);
        }
      } else if (timed) {
        long left = deadline - System.nanoTime();
        if (left <= 0L) {
          removeWaiter(node);
          return result;
        }
        LockSupport.parkNanos(this, left);
      } else {
        LockSupport.park(this);
      }
    }
  }

  /**
   * Unlinks the nodes of waiters that gave up, {@code node} among them, so that a future polled
   * with short timeouts does not collect them. The algorithm of {@code FutureTask.removeWaiter}:
   * nodes are only ever pushed at the head, and only dead nodes are unlinked, so a stale write
   * can re-link a dead node but never drop a live one; a race restarts the traversal.
   */
  private void removeWaiter(Node node) {
    node.thread = null;
    retry:
    for (; ; ) {
      for (Node pred = null, q = stack, s; q != null && q != TOMBSTONE; q = s) {
        s = q.next;
        if (!q.isDeadWaiter()) {
          pred = q;
        } else if (pred != null) {
          pred.next = s;
          if (pred.isDeadWaiter()) {
            continue retry; // pred itself was unlinked meanwhile
          }
        } else if (!STACK.compareAndSet(this, q, s)) {
          continue retry;
        }
      }
      return;
    }
  }

  /** How many waiters and listeners are queued, dead ones included; for tests. */
  final int queuedNodes() {
    int n = 0;
    for (Node node = stack; node != null && node != TOMBSTONE; node = node.next) {
      n++;
    }
    return n;
  }

  // result holds a T unless it is one of the private markers; NULL stands for a null T
  @SuppressWarnings({"unchecked", "NullAway"})
  private T report(Object r) throws ExecutionException {
    if (r instanceof Failure failure) {
      throw new ExecutionException(failure.cause);
    }
    if (r instanceof Cancelled) {
      throw new CancellationException("Task was cancelled.");
    }
    return r == NULL ? (T) null : (T) r;
  }

  /** Extra detail for {@link #toString} while pending; {@code null} for none. */
  protected @Nullable String pendingToString() {
    return null;
  }

  /** In the format of Guava's futures: {@code Class@hash[status=..., ...]}. */
  @Override
  public String toString() {
    StringBuilder builder =
        new StringBuilder(getClass().getName())
            .append('@')
            .append(Integer.toHexString(System.identityHashCode(this)))
            .append("[status=");
    Object r = result;
    if (r == null) {
      builder.append("PENDING");
      String info;
      try {
        info = pendingToString();
      } catch (RuntimeException | StackOverflowError e) {
        info = "Exception thrown from implementation: " + e.getClass();
      }
      if (info != null && !info.isEmpty()) {
        builder.append(", info=[").append(info).append(']');
      }
    } else if (r instanceof Failure failure) {
      builder.append("FAILURE, cause=[").append(failure.cause).append(']');
    } else if (r instanceof Cancelled) {
      builder.append("CANCELLED");
    } else {
      builder.append("SUCCESS, result=[").append(r == NULL ? "null" : describeValue(r)).append(']');
    }
    return builder.append(']').toString();
  }

  @SuppressWarnings("ReferenceEquality") // identity is the point: a future holding itself
  private String describeValue(Object value) {
    return value == this
        ? "this future"
        : value.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(value));
  }

  /** A failed outcome. */
  private static final class Failure {
    final Throwable cause;

    Failure(Throwable cause) {
      this.cause = cause;
    }
  }

  /** A cancelled outcome. */
  private static final class Cancelled {}

  /** A thread blocked in {@code get}, or a listener with its executor. */
  private static final class Node {
    static final VarHandle TAKEN;

    static {
      try {
        TAKEN = MethodHandles.lookup().findVarHandle(Node.class, "taken", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    volatile @Nullable Thread thread;
    final @Nullable Runnable listener;
    final @Nullable Executor executor;
    volatile @Nullable Node next;

    /** Whether a thread has taken this listener to run it; see {@code runOnce}. */
    @SuppressWarnings("UnusedVariable") // accessed through TAKEN
    private volatile boolean taken;

    Node(@Nullable Thread thread, @Nullable Runnable listener, @Nullable Executor executor) {
      this.thread = thread;
      this.listener = listener;
      this.executor = executor;
    }

    boolean isDeadWaiter() {
      return listener == null && thread == null;
    }
  }
}
