package io.taskrunner.strategies.process;

import io.taskrunner.strategies.WorkerCrashedException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Where a worker process is in its life: started, ready (it said HELLO), ending (its stream
 * ended: it takes no more tasks), dead (its crash is known); and why the pool killed it, if it
 * did. Public only for the jcstress tests; not an API.
 *
 * <p>Thread-safety: the worker's reader thread moves it forward ({@link #markReady}, {@link
 * #markEnding}, {@link #die}); the pool's threads read it and record kills from anywhere. {@code
 * ready} and {@code ending} only ever go from false to true, so {@link #isReady} turns false for
 * good once the stream ended. The first kill reason wins (a CAS), so a crash report names the kill
 * that actually ended the process, not a later one. {@link #die} happens before the worker's
 * in-flight table is closed, so a task whose registration the closed table refuses always finds
 * the crash here ({@code WorkerLifecycleStress} in jcstress-tests checks these).
 */
public final class WorkerLifecycle {
  private volatile boolean ready;
  private volatile boolean ending;
  private final AtomicReference<@Nullable String> killReason = new AtomicReference<>();
  private @Nullable WorkerCrashedException death; // guarded by this

  public WorkerLifecycle() {}

  /** The worker said HELLO. */
  public void markReady() {
    ready = true;
  }

  /** Whether the worker said HELLO and its stream has not ended: it may take tasks. */
  public boolean isReady() {
    return ready && !ending;
  }

  /** Whether the worker ever said HELLO. */
  public boolean wasReady() {
    return ready;
  }

  /**
   * The worker's stream ended: it takes no more tasks. Called before any of its in-flight tasks
   * hears of the crash and frees its slot, so that a freed slot is never given to this worker.
   *
   * @return whether it had been ready
   */
  public boolean markEnding() {
    ending = true;
    return ready;
  }

  /** Records why the pool kills the worker; {@code false} if an earlier kill's reason stands. */
  public boolean recordKill(String reason) {
    return killReason.compareAndSet(null, reason);
  }

  /** Why the pool killed the worker, or {@code null} if it did not. */
  public @Nullable String killReason() {
    return killReason.get();
  }

  /** The worker is dead; called once, before its in-flight table is closed. */
  public synchronized void die(WorkerCrashedException crash) {
    death = crash;
  }

  /** The worker's crash, once it died. */
  public synchronized @Nullable WorkerCrashedException death() {
    return death;
  }
}
