package io.taskrunner.strategies.process;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids of one pool: unique and positive across every submitting thread, so a reply names
 * exactly one request (the worker protocol requires ids unique per pool; {@code 0} is HELLO's).
 * One atomic increment per id, so ids also increase in the order the increments happen.
 *
 * <p>Thread-safety: {@link #next} may be called from any thread. {@code RequestIdsStress} in
 * jcstress-tests checks that two racing submitters never get the same id. Public only for those
 * tests; the package is not exported to users.
 */
public final class RequestIds {
  private final AtomicLong last = new AtomicLong();

  /** Creates an allocator whose first id is {@code 1}. */
  public RequestIds() {}

  /** The next id: {@code 1}, {@code 2}, ... never the same twice. */
  public long next() {
    return last.incrementAndGet();
  }
}
