package io.taskrunner.strategies.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Frames waiting to be written to one worker, written by whichever thread finds no other writing:
 * many threads {@link #offer}, and one at a time {@link #drain}s everything offered so far, then
 * flushes once, so frames offered during a write share the next flush (one system call).
 *
 * <p>The promise: every offered item is written exactly once, in offer order per offering thread,
 * and an item is never stranded: a {@link #drain} that finds another thread draining returns at
 * once, and that other thread writes the item, because after it lets the flag go it looks at the
 * queue again. That is a store-load pair on each side (the offerer stores the item, then reads the
 * flag; the drainer stores the flag, then reads the queue), so both the flag's CAS and its release
 * are sequentially consistent: a release store alone would let both threads miss each other. {@code
 * OutboxStress} in jcstress-tests checks this.
 *
 * <p>Thread-safety: {@link #offer}, {@link #isEmpty} and {@link #drain} may be called from any
 * thread; the write and flush actions run on one thread at a time, each drain happening-after the
 * previous one. Public only for those tests; the package is not exported to users.
 *
 * @param <T> what is written (a request, a frame, a close marker)
 */
public final class Outbox<T> {
  /** {@code writing}: no thread is draining. */
  private static final int IDLE = 0;

  /** {@code writing}: one thread is draining; the others leave their items to it. */
  private static final int DRAINING = 1;

  private static final VarHandle WRITING;

  static {
    try {
      WRITING = MethodHandles.lookup().findVarHandle(Outbox.class, "writing", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
  private final Consumer<? super T> write;
  private final Runnable flush;

  /** IDLE or DRAINING; accessed through {@code WRITING}. */
  @SuppressWarnings("UnusedVariable") // accessed through WRITING
  private volatile int writing;

  /**
   * Creates an empty outbox whose drains call {@code write} for each item, then {@code flush}
   * once. Neither may throw: they settle their own failures.
   */
  public Outbox(Consumer<? super T> write, Runnable flush) {
    this.write = write;
    this.flush = flush;
  }

  /** Adds an item; someone must then {@link #drain} (this thread, or one it wakes). */
  public void offer(T item) {
    queue.offer(item);
  }

  /** Whether nothing waits to be written. */
  public boolean isEmpty() {
    return queue.isEmpty();
  }

  /**
   * Writes everything offered so far, then flushes, unless another thread is draining: that thread
   * then writes what this one offered. May block in the write action (a full pipe).
   *
   * @return {@code false} if another thread held the outbox
   */
  public boolean drain() {
    while (!queue.isEmpty()) {
      if (!WRITING.compareAndSet(this, IDLE, DRAINING)) {
        return false;
      }
      try {
        for (T next = queue.poll(); next != null; next = queue.poll()) {
          write.accept(next);
        }
        flush.run();
      } finally {
        // Volatile, not release: ordered before the isEmpty() re-check (see the class comment).
        WRITING.setVolatile(this, IDLE);
      }
    }
    return true;
  }
}
