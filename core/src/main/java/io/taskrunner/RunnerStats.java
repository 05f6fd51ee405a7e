package io.taskrunner;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of a runner's counters and timings, from {@link TaskRunner#stats()}.
 *
 * <p>Consistency: counters are read so that a snapshot never shows a task in two places and never
 * a negative count, even while tasks run: {@code submitted == queued + running + completed + failed
 * + cancelled}, where a task whose future is done but whose code is still returning (cancelled while
 * running, for example) counts as done. {@code rejected} tasks were never accepted and are not in
 * {@code submitted}. Two snapshots taken one after the other never go backwards. A task is counted
 * done just after its future completes (its waiters wake first), so a snapshot taken the instant
 * {@code get()} returns may still show that task as running.
 *
 * <p>Timings are sampled (every one of a runner's first 1 024 tasks, then one in 64, and every
 * task while JFR records {@code io.taskrunner.Task} events) and summarised from a log-scale histogram, so percentiles are
 * accurate to within about 12%.
 *
 * @param runner the runner's name
 * @param strategy the runner's strategy
 * @param submitted tasks accepted since creation
 * @param queued accepted tasks that have not started
 * @param running tasks whose code is running and whose future is not done
 * @param completed tasks that returned a result
 * @param failed tasks that threw, or timed out
 * @param cancelled tasks whose future was cancelled, whether or not they had started
 * @param rejected submits refused because the runner was closed or full
 * @param timedOut tasks that outlived their timeout (also counted in {@code failed})
 * @param stalled running tasks reported for holding a thread far past their key's usual time
 * @param queueWait how long sampled tasks waited between submit and start
 * @param runTime how long sampled tasks ran, from start to completion of their future
 * @param keys what was measured per task key (see {@link Task#key()}): at most the 64 keys with
 *     the most samples
 */
public record RunnerStats(
    String runner,
    Strategy strategy,
    long submitted,
    long queued,
    long running,
    long completed,
    long failed,
    long cancelled,
    long rejected,
    long timedOut,
    long stalled,
    Timing queueWait,
    Timing runTime,
    List<KeyStats> keys) {

  /** Checks the invariants of a snapshot. */
  public RunnerStats {
    requireNonNull(runner, "runner");
    requireNonNull(strategy, "strategy");
    requireNonNull(queueWait, "queueWait");
    requireNonNull(runTime, "runTime");
    keys = List.copyOf(keys);
    if (queued < 0 || running < 0 || completed < 0 || failed < 0 || cancelled < 0 || rejected < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
    if (submitted != queued + running + completed + failed + cancelled) {
      throw new IllegalArgumentException(
          "submitted must equal queued + running + completed + failed + cancelled");
    }
  }

  /** Tasks accepted and not yet done: {@code queued + running}. */
  public long pending() {
    return queued + running;
  }

  /**
   * What a runner measured for one task key: how much of its wall time a task of that key spends
   * on a CPU, where the key's tasks go, and any mismatch with what was declared.
   *
   * @param key the task key
   * @param samples how many of its tasks were measured
   * @param cpuShare CPU time divided by wall time over those samples, from 0 (always waiting) to 1
   *     (always computing); CPU time is scaled up by the machine's load average per usable core
   *     when that exceeds 1, since a computing thread then also waits for a core
   * @param routedTo where later tasks of this key go, or {@code null} while still measuring
   * @param report the mismatch reported for this key (declared CPU-bound but mostly waiting, or
   *     declared I/O-bound but mostly computing), or {@code null}
   */
  public record KeyStats(
      String key,
      long samples,
      double cpuShare,
      @Nullable Strategy routedTo,
      @Nullable String report) {

    /** Checks the arguments. */
    public KeyStats {
      requireNonNull(key, "key");
    }
  }

  /**
   * A summary of sampled durations.
   *
   * @param samples how many durations were sampled
   * @param mean their mean
   * @param p50 their median
   * @param p99 their 99th percentile
   * @param max the largest
   */
  public record Timing(long samples, Duration mean, Duration p50, Duration p99, Duration max) {

    /** A summary of no samples. */
    public static final Timing EMPTY =
        new Timing(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    /** Checks the arguments. */
    public Timing {
      requireNonNull(mean, "mean");
      requireNonNull(p50, "p50");
      requireNonNull(p99, "p99");
      requireNonNull(max, "max");
    }

    @Override
    public String toString() {
      return samples == 0
          ? "no samples"
          : String.format(
              Locale.US,
              "n=%d mean=%s p50=%s p99=%s max=%s",
              samples,
              human(mean),
              human(p50),
              human(p99),
              human(max));
    }

    private static String human(Duration d) {
      long nanos = d.toNanos();
      if (nanos < 10_000) {
        return nanos + "ns";
      } else if (nanos < 10_000_000) {
        return String.format(Locale.US, "%.1fus", nanos / 1e3);
      } else if (nanos < 10_000_000_000L) {
        return String.format(Locale.US, "%.1fms", nanos / 1e6);
      }
      return String.format(Locale.US, "%.2fs", nanos / 1e9);
    }
  }
}
