package io.taskrunner.strategies.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A cheap source of random decisions for the submitting path (whether to time a task, whether to
 * measure it): a xorshift generator whose state is a plain field, alone on its cache lines.
 *
 * <p>Why not {@link java.util.concurrent.ThreadLocalRandom}: two draws per submit were about a
 * tenth of the CPU runner's submitting cost in a profile of no-op tasks. Random rather than every
 * n-th task, so that a periodic pattern of submissions cannot make the samples see only one kind.
 *
 * <p>Thread-safety: racy on purpose and harmless: two submitters that read the same state make the
 * same decision, and a lost update only repeats a draw. The state is read and written with opaque
 * access, so a value is never torn, and a zero (the one state xorshift cannot leave) is replaced.
 */
@SuppressWarnings("UnusedVariable") // padding, and the state accessed through STATE
final class SubmitterRandom {
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(SubmitterRandom.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private long p01, p02, p03, p04, p05, p06, p07, p08;
  private long state;
  private long p11, p12, p13, p14, p15, p16, p17, p18;

  SubmitterRandom() {
    STATE.setOpaque(this, System.nanoTime() * 0x9E3779B97F4A7C15L | 1L);
  }

  /** A uniformly distributed int. */
  int nextInt() {
    long x = (long) STATE.getOpaque(this);
    if (x == 0L) {
      x = 0x9E3779B97F4A7C15L;
    }
    x ^= x << 13;
    x ^= x >>> 7;
    x ^= x << 17;
    STATE.setOpaque(this, x);
    return (int) (x >>> 32);
  }

  /**
   * True with probability {@code threshold} / 2³², so one in {@code n} for {@code threshold} =
   * {@link #oneInThreshold}{@code (n)}; a comparison, not a division, on the hot path.
   */
  boolean below(long threshold) {
    return Integer.toUnsignedLong(nextInt()) < threshold;
  }

  /** The threshold for {@link #below} that makes it true one time in {@code n} (n ≥ 1). */
  static long oneInThreshold(int n) {
    return (1L << 32) / n;
  }
}
