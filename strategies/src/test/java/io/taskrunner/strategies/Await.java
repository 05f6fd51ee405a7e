package io.taskrunner.strategies;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The tests' one way to wait for something another thread or process makes true: poll the
 * condition until it holds or a generous deadline passes, then fail naming what was awaited. The
 * deadline bounds a broken build, never a passing one; no test waits by sleeping alone.
 */
public final class Await {
  /** Far beyond anything a passing test needs, even on a loaded 2-core machine. */
  public static final Duration DEADLINE = Duration.ofSeconds(20);

  private Await() {}

  /** Polls until {@code condition} holds; fails naming {@code what} after {@link #DEADLINE}. */
  public static void until(BooleanSupplier condition, String what) throws InterruptedException {
    until(condition, () -> what);
  }

  /** As {@link #until(BooleanSupplier, String)}; {@code what} is evaluated only on failure. */
  public static void until(BooleanSupplier condition, Supplier<String> what)
      throws InterruptedException {
    until(DEADLINE, condition, what);
  }

  /** As {@link #until(BooleanSupplier, Supplier)}, with a deadline of {@code timeout}. */
  public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what.get());
      }
      Thread.sleep(2); // the polling period of a deadline-bounded poll, not synchronisation
    }
  }
}
