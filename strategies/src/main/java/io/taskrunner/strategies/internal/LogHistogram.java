package io.taskrunner.strategies.internal;

import io.taskrunner.RunnerStats;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A lock-free histogram of nanosecond durations with log-scale buckets: four sub-buckets per power
 * of two, so any value is reported within 12.5% of itself. Fixed size (256 counters), no
 * allocation when recording.
 *
 * <p>Thread-safety: {@link #record} may race with itself and with {@link #summary}; a summary taken
 * during recording may miss values recorded concurrently but never reports a value that was not
 * recorded.
 */
public final class LogHistogram {
  private static final int SUB_BITS = 2;
  private static final int SUB_BUCKETS = 1 << SUB_BITS;
  private static final int BUCKETS = 64 * SUB_BUCKETS;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final LongAdder sum = new LongAdder();
  private final AtomicLong max = new AtomicLong();

  /** Records one duration in nanoseconds; negative values count as zero. */
  public void record(long nanos) {
    long value = Math.max(0, nanos);
    counts.incrementAndGet(bucketOf(value));
    sum.add(value);
    long seen = max.get();
    while (value > seen && !max.compareAndSet(seen, value)) {
      seen = max.get();
    }
  }

  /** Summarises what was recorded so far. */
  public RunnerStats.Timing summary() {
    long[] snapshot = new long[BUCKETS];
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      snapshot[i] = counts.get(i);
      total += snapshot[i];
    }
    if (total == 0) {
      return RunnerStats.Timing.EMPTY;
    }
    long maxValue = max.get();
    return new RunnerStats.Timing(
        total,
        Duration.ofNanos(sum.sum() / total),
        Duration.ofNanos(Math.min(maxValue, percentile(snapshot, total, 0.50))),
        Duration.ofNanos(Math.min(maxValue, percentile(snapshot, total, 0.99))),
        Duration.ofNanos(maxValue));
  }

  static int bucketOf(long value) {
    if (value < SUB_BUCKETS) {
      return (int) value;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(value);
    int sub = (int) (value >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
    return (exponent - SUB_BITS + 1) * SUB_BUCKETS + sub;
  }

  /** The midpoint of bucket {@code index}, the value it reports. */
  static long valueOf(int index) {
    if (index < SUB_BUCKETS) {
      return index;
    }
    int exponent = index / SUB_BUCKETS + SUB_BITS - 1;
    int sub = index % SUB_BUCKETS;
    long lower = (1L << exponent) + ((long) sub << (exponent - SUB_BITS));
    long width = 1L << (exponent - SUB_BITS);
    return lower + width / 2;
  }

  private static long percentile(long[] snapshot, long total, double fraction) {
    long rank = (long) Math.ceil(total * fraction);
    long seen = 0;
    for (int i = 0; i < snapshot.length; i++) {
      seen += snapshot[i];
      if (seen >= rank) {
        return valueOf(i);
      }
    }
    return valueOf(snapshot.length - 1);
  }
}
