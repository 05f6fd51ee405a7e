package io.taskrunner.strategies.internal;

import io.taskrunner.RunnerStats.KeyStats;
import io.taskrunner.Strategy;
import java.lang.System.Logger.Level;
import io.taskrunner.internal.CpuQuota;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Measures tasks per key — CPU time against wall time, on platform threads (the JVM reports no CPU
 * time for virtual threads) — to verify what a runner's workload declared and to route the tasks
 * of {@code Workload.unknown()}. On a machine loaded beyond its cores a computing thread waits for
 * a core too, so its CPU time is scaled by {@code max(1, load average / usable cores)} (capped at
 * the wall time) before the share is taken.
 *
 * <p>Cost: reading a thread's CPU time costs about a microsecond, so declared runners measure one
 * task in {@link #verifyEvery} (default {@value #DEFAULT_VERIFY_EVERY}, or the system property
 * {@value #VERIFY_EVERY_PROPERTY}; 0 turns it off); the adaptive runner measures every task of a key until it has
 * decided, then one in {@value #RECHECK_EVERY}.
 *
 * <p>Thread-safety: thread-safe. A key's figures change under its own lock (only measured tasks
 * take it); its route and report are volatile, and a report is made at most once per key. At most
 * {@value #MAX_KEYS} keys are tracked; tasks of further keys are not measured.
 */
public final class KeyProfiler {
  static final int DEFAULT_VERIFY_EVERY = 1024;
  static final String VERIFY_EVERY_PROPERTY = "io.taskrunner.verifyEvery";
  /** How often a routed key of the adaptive runner is measured again: one task in this many. */
  public static final int RECHECK_EVERY = 64;
  static final int MAX_KEYS = 1024;

  /** Samples before a declared workload is judged. */
  static final int MIN_SAMPLES_TO_REPORT = 8;

  /**
   * The mean wall time below which a key declared CPU-bound is never reported as waiting. A task
   * that short cannot hold a pool thread long whatever it does, and its wall time is mostly the
   * measurement itself and the scheduler: on a loaded machine a no-op task measured as 1 µs of CPU
   * in 30 µs of wall time and was reported as 97% waiting.
   */
  static final long MIN_WALL_NANOS_TO_REPORT_WAITING = 100_000;

  /** Samples before an undeclared key is routed. */
  public static final int SAMPLES_TO_ROUTE = 4;

  private static final System.Logger LOG = System.getLogger(KeyProfiler.class.getName());
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();

  private final String runner;
  private final Strategy declared;
  private final int verifyEvery;
  private final long verifyThreshold;
  private final ConcurrentHashMap<String, Profile> profiles = new ConcurrentHashMap<>();
  private final SubmitterRandom random = new SubmitterRandom();

  /**
   * @param runner the runner's name, for reports
   * @param declared {@link Strategy#THREAD_POOL} (CPU-bound declared), {@link
   *     Strategy#VIRTUAL_THREADS} (blocking I/O declared) or {@link Strategy#ADAPTIVE} (nothing)
   */
  public KeyProfiler(String runner, Strategy declared) {
    this.runner = runner;
    this.declared = declared;
    // 0 (or less) turns verification off.
    this.verifyEvery = Integer.getInteger(VERIFY_EVERY_PROPERTY, DEFAULT_VERIFY_EVERY);
    this.verifyThreshold = verifyEvery > 0 ? SubmitterRandom.oneInThreshold(verifyEvery) : 0L;
  }

  /** CPU time of the current thread in nanoseconds, or -1 where the JVM does not measure it. */
  public static long currentThreadCpuNanos() {
    return Thread.currentThread().isVirtual() ? -1L : THREADS.getCurrentThreadCpuTime();
  }

  /** How many runnable threads compete for each usable core, at least 1. */
  private static double contention() {
    double load = OS.getSystemLoadAverage();
    return load <= 0 ? 1.0 : Math.max(1.0, load / CpuQuota.current().usableCores());
  }

  /** Whether a declared runner should measure the task being submitted. */
  public boolean shouldVerify() {
    return verifyEvery == 1
        || (verifyEvery > 1 && random.below(verifyThreshold));
  }

  /** The profile of {@code key}, or {@code null} once {@value #MAX_KEYS} keys are tracked. */
  public @Nullable Profile profile(String key) {
    Profile profile = profiles.get(key);
    if (profile == null && profiles.size() < MAX_KEYS) {
      profile = profiles.computeIfAbsent(key, Profile::new);
    }
    return profile;
  }

  /** Whether {@code key} was reported as mis-declared. Creates nothing. */
  public boolean isReported(String key) {
    Profile profile = profiles.get(key);
    return profile != null && profile.report != null;
  }

  /** The mean wall time of {@code key}'s measured tasks, or 0 if none was measured. */
  public long meanWallNanos(String key) {
    Profile profile = profiles.get(key);
    return profile == null ? 0 : profile.meanWallNanos();
  }

  /** Records one measured task and judges the key. */
  public void record(String key, long cpuNanos, long wallNanos) {
    Profile profile = profile(key);
    if (profile == null || wallNanos <= 0 || cpuNanos < 0) {
      return;
    }
    // A computing thread on an overloaded machine gets only its share of the cores: credit it the
    // time it was runnable but waiting for one, estimated from the load average.
    long credited = (long) Math.min((double) wallNanos, (double) cpuNanos * contention());
    profile.add(credited, wallNanos);
    switch (declared) {
      case THREAD_POOL -> {
        if (profile.samples() >= MIN_SAMPLES_TO_REPORT
            && profile.cpuShare() < 0.2
            && profile.meanWallNanos() >= MIN_WALL_NANOS_TO_REPORT_WAITING) {
          report(profile, "CPU-bound", "waiting", 1 - profile.cpuShare(), "ioBound()");
        }
      }
      case VIRTUAL_THREADS -> {
        if (profile.samples() >= MIN_SAMPLES_TO_REPORT && profile.cpuShare() > 0.5) {
          report(profile, "I/O-bound", "computing", profile.cpuShare(), "cpuBound()");
        }
      }
      case ADAPTIVE -> profile.reroute();
      default -> {
        // The event loop and the process pool have no CPU-vs-wall rule of their own.
      }
    }
  }

  private void report(Profile profile, String declaredAs, String doing, double share, String fix) {
    String text =
        String.format(
            Locale.US,
            "runner '%s': tasks of key %s were declared %s but spent %.0f%% of their wall time %s"
                + " (CPU %s, wall %s per task over %d samples); declare %s for them",
            runner,
            profile.key,
            declaredAs,
            share * 100,
            doing,
            Duration.ofNanos(profile.meanCpuNanos()),
            Duration.ofNanos(profile.meanWallNanos()),
            profile.samples(),
            fix);
    if (profile.setReport(text)) {
      LOG.log(Level.WARNING, text);
      MisdeclaredTaskEvent event = new MisdeclaredTaskEvent();
      if (event.isEnabled()) {
        event.runner = runner;
        event.key = profile.key;
        event.declared = declaredAs;
        event.cpuShare = profile.cpuShare();
        event.samples = profile.samples();
        event.message = text;
        event.commit();
      }
    }
  }

  /** The figures of the keys with the most samples, for {@code stats()}. */
  public List<KeyStats> snapshot() {
    return profiles.values().stream()
        .filter(p -> p.samples() > 0 || p.route != null)
        .sorted(Comparator.comparingLong(Profile::samples).reversed())
        .limit(64)
        .map(Profile::stats)
        .toList();
  }

  /** What is known of one key. */
  public final class Profile {
    final String key;
    final AtomicInteger probesIssued = new AtomicInteger();
    private long samples;
    private long cpuNanos;
    private long wallNanos;
    private double recentShare = -1; // exponentially weighted, for drift
    private volatile @Nullable Strategy route;
    private volatile @Nullable String report;

    Profile(String key) {
      this.key = key;
      this.route = declared == Strategy.ADAPTIVE ? null : declared;
    }

    synchronized void add(long cpu, long wall) {
      samples++;
      cpuNanos += cpu;
      wallNanos += wall;
      double share = (double) cpu / wall;
      recentShare = recentShare < 0 ? share : 0.75 * recentShare + 0.25 * share;
    }

    synchronized long samples() {
      return samples;
    }

    synchronized double cpuShare() {
      return wallNanos == 0 ? 0 : (double) cpuNanos / wallNanos;
    }

    synchronized long meanCpuNanos() {
      return samples == 0 ? 0 : cpuNanos / samples;
    }

    synchronized long meanWallNanos() {
      return samples == 0 ? 0 : wallNanos / samples;
    }

    /**
     * Routes an undeclared key once it has {@link #SAMPLES_TO_ROUTE} samples, and moves it when
     * its recent behaviour drifts well past the line (hysteresis keeps it from flapping).
     */
    synchronized void reroute() {
      if (samples < SAMPLES_TO_ROUTE) {
        return;
      }
      Strategy current = route;
      if (current == null) {
        // CPU time over wall time: a waiting task shows a few percent; a computing one close to
        // 100%, less when the machine is loaded, so the line sits low.
        route = cpuShare() >= 0.3 ? Strategy.THREAD_POOL : Strategy.VIRTUAL_THREADS;
      } else if (current == Strategy.THREAD_POOL && recentShare < 0.1) {
        route = Strategy.VIRTUAL_THREADS;
      } else if (current == Strategy.VIRTUAL_THREADS && recentShare > 0.5) {
        route = Strategy.THREAD_POOL;
      }
    }

    /** Where tasks of this key go, or {@code null} while it is being measured. */
    public @Nullable Strategy route() {
      return route;
    }

    /** Takes a probe slot: whether one more task of this undecided key may be measured. */
    public boolean tryProbe() {
      for (int issued = probesIssued.get(); issued < SAMPLES_TO_ROUTE; issued = probesIssued.get()) {
        if (probesIssued.compareAndSet(issued, issued + 1)) {
          return true;
        }
      }
      return false;
    }

    boolean setReport(String text) {
      synchronized (this) {
        if (report != null) {
          return false;
        }
        report = text;
        return true;
      }
    }

    synchronized KeyStats stats() {
      return new KeyStats(key, samples, cpuShare(), route, report);
    }
  }
}
