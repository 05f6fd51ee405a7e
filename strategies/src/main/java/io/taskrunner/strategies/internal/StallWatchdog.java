package io.taskrunner.strategies.internal;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices a task that holds a pool thread far past its key's usual time, and reports it once with
 * the thread's stack, as busy on a CPU or blocked: no agent, no JVM flag.
 *
 * <p>How: one JVM-wide daemon thread wakes every 100 ms and asks each watched runner which
 * task each of its threads runs. A task seen on the same thread for longer than {@code max(
 * threshold, 10 x its key's mean wall time)} is stalled; whether its thread's CPU time advanced
 * since the last look, and its {@link Thread.State}, tell busy from blocked. The hot path pays
 * nothing for this: runners already publish the task each thread runs (for {@code shutdownNow}),
 * and the watchdog only reads it.
 *
 * <p>Setting: {@code -Dio.taskrunner.stallThresholdMillis} (default 2000), read when a runner is
 * created.
 *
 * <p>Thread-safety: {@link #watch}/{@link #unwatch} may be called from any thread; everything else
 * runs on the watchdog thread.
 */
public final class StallWatchdog {
  private static final System.Logger LOG = System.getLogger(StallWatchdog.class.getName());
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** What a watched runner shows the watchdog. */
  public interface Watched {
    /** The runner's name, for reports. */
    String name();

    /** Calls {@code visitor} with each of the runner's threads and the task it runs now. */
    void visitRunning(RunningVisitor visitor);

    /** The mean wall time of a key's measured tasks, or 0 if none was measured. */
    long meanWallNanos(String key);

    /** The least time a task must hold a thread before it is reported. */
    long thresholdNanos();

    /** Counts a report. */
    void stalled();
  }

  /** Receives one running task. */
  public interface RunningVisitor {
    void visit(Thread thread, TaskFuture<?> task);
  }

  private static final Set<Watched> WATCHED = ConcurrentHashMap.newKeySet();
  private static final long PERIOD_MILLIS = 100;

  private StallWatchdog() {}

  private static final class Holder {
    static final Thread THREAD = start();

    private static Thread start() {
      return Thread.ofPlatform()
          .daemon()
          .name("taskrunner-stall-watchdog")
          .start(StallWatchdog::loop);
    }
  }

  /** The threshold a runner created now should use: {@code -Dio.taskrunner.stallThresholdMillis}. */
  public static long configuredThresholdNanos() {
    return Duration.ofMillis(Math.max(1, Long.getLong("io.taskrunner.stallThresholdMillis", 2000)))
        .toNanos();
  }

  /** Starts watching {@code runner} (and the watchdog thread, on first use). */
  public static void watch(Watched runner) {
    WATCHED.add(runner);
    Thread unused = Holder.THREAD;
  }

  /** Stops watching {@code runner}. */
  public static void unwatch(Watched runner) {
    WATCHED.remove(runner);
  }

  /** One sighting of a task on a thread. */
  private record Sighting(TaskFuture<?> task, long firstSeen, long cpuAtLastLook, boolean reported) {}

  @SuppressWarnings("InfiniteLoopStatement") // a daemon that lives as long as the JVM
  private static void loop() {
    Map<Thread, Sighting> sightings = new HashMap<>();
    for (; ; ) {
      try {
        Thread.sleep(PERIOD_MILLIS);
        scan(sightings);
      } catch (InterruptedException e) {
        // nobody interrupts the watchdog on purpose; keep watching
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "stall watchdog scan failed", e);
      }
    }
  }

  @SuppressWarnings("ReferenceEquality") // the same task object, not an equal one
  private static void scan(Map<Thread, Sighting> sightings) {
    long now = System.nanoTime();
    Map<Thread, Boolean> seenNow = new HashMap<>();
    for (Watched runner : WATCHED) {
      runner.visitRunning(
          (thread, task) -> {
            seenNow.put(thread, Boolean.TRUE);
            long cpu = THREADS.getThreadCpuTime(thread.threadId());
            Sighting previous = sightings.get(thread);
            if (previous == null || previous.task() != task) {
              sightings.put(thread, new Sighting(task, now, cpu, false));
              return;
            }
            long elapsed = now - previous.firstSeen();
            if (!previous.reported() && elapsed > limitFor(runner, task)) {
              boolean busy = cpu > previous.cpuAtLastLook() && thread.getState() == Thread.State.RUNNABLE;
              report(runner, thread, task, elapsed, busy);
              sightings.put(thread, new Sighting(task, previous.firstSeen(), cpu, true));
            } else {
              sightings.put(thread, new Sighting(task, previous.firstSeen(), cpu, previous.reported()));
            }
          });
    }
    for (Iterator<Thread> it = sightings.keySet().iterator(); it.hasNext(); ) {
      if (!seenNow.containsKey(it.next())) {
        it.remove();
      }
    }
  }

  private static long limitFor(Watched runner, TaskFuture<?> task) {
    return Math.max(runner.thresholdNanos(), 10 * runner.meanWallNanos(task.key()));
  }

  private static void report(
      Watched runner, Thread thread, TaskFuture<?> task, long elapsedNanos, boolean busy) {
    StackTraceElement[] stack = thread.getStackTrace();
    String top = stack.length == 0 ? "(no stack)" : stack[0].toString();
    String text =
        String.format(
            Locale.US,
            "runner '%s': task %s has held thread %s for %s and is %s at %s",
            runner.name(),
            task.key(),
            thread.getName(),
            Duration.ofNanos(elapsedNanos),
            busy ? "busy on a CPU" : "blocked (" + thread.getState() + ")",
            top);
    runner.stalled();
    Throwable where = new Throwable("stack of " + thread.getName());
    where.setStackTrace(stack);
    LOG.log(Level.WARNING, text, where);
    StalledTaskEvent event = new StalledTaskEvent();
    if (event.isEnabled()) {
      event.runner = runner.name();
      event.key = task.key();
      event.thread = thread.getName();
      event.heldFor = elapsedNanos;
      event.busy = busy;
      event.topFrame = top;
      event.message = text;
      event.commit();
    }
  }
}
