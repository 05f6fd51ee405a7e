package io.taskrunner;

import static java.util.Objects.requireNonNull;

import io.taskrunner.internal.CpuQuota;
import io.taskrunner.spi.RunnerProvider;
import io.taskrunner.spi.RunnerSpec;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Entry points: pick a runner for a {@link Workload}, and explain the pick.
 *
 * <p>The rules (the JVM-correct version of "threads for I/O, processes for CPU, async for many
 * slow calls"; the JVM has no GIL):
 *
 * <table>
 *   <caption>Strategy per declared workload</caption>
 *   <tr><th>declared</th><th>strategy</th><th>default size</th></tr>
 *   <tr><td>{@code cpuBound()}</td><td>work-stealing platform-thread pool</td><td>usable cores</td></tr>
 *   <tr><td>{@code cpuBound().isolated()}</td><td>pool of worker JVMs</td><td>usable cores</td></tr>
 *   <tr><td>{@code ioBound()}</td><td>a virtual thread per task</td><td>10 000 at once</td></tr>
 *   <tr><td>{@code ioBound().nonBlocking()}</td><td>event loop</td><td>1 loop</td></tr>
 *   <tr><td>{@code unknown()}</td><td>adaptive: measures, then routes</td><td>—</td></tr>
 * </table>
 *
 * <p>"Usable cores" is {@link Runtime#availableProcessors()} capped by the cgroup CPU quota;
 * {@link #explain} prints the figures. Thread-safe.
 */
public final class Runners {
  private static final AtomicInteger NEXT_ID = new AtomicInteger();
  private static final ConcurrentMap<Workload, TaskRunner> SHARED = new ConcurrentHashMap<>();

  private Runners() {}

  /**
   * Creates a runner for {@code workload}, which the caller owns and must {@link
   * TaskRunner#close() close} (try-with-resources). Creating one costs little for the thread-based
   * strategies and the event loop (threads start lazily or one at a time); the process pool starts
   * its worker JVMs before returning, about 0.15 s each, in parallel (about 0.1 s once their
   * start-up cache exists, when the class path is made of jars). Code that cannot own a runner
   * should use {@link #shared}.
   *
   * @throws StrategyUnavailableException if the chosen strategy's artifact is not on the class path
   *     or module path; the message names it
   */
  public static TaskRunner forWorkload(Workload workload) {
    requireNonNull(workload, "workload");
    Strategy strategy = Chooser.strategyFor(workload);
    String defaultName = Chooser.shortName(strategy) + "-" + NEXT_ID.incrementAndGet();
    RunnerSpec spec = Chooser.explain(workload, defaultName, CpuQuota.current()).spec();
    return provider(strategy).create(spec);
  }

  /**
   * Explains which strategy {@link #forWorkload} picks for {@code workload}, with what sizes and
   * why. Pure: creates nothing. The returned value prints as several lines of plain text.
   */
  public static Explanation explain(Workload workload) {
    requireNonNull(workload, "workload");
    String name = workload.name().orElse("<" + Chooser.shortName(Chooser.strategyFor(workload)) + "-N>");
    return Chooser.explain(workload, name, CpuQuota.current());
  }

  /**
   * Returns the JVM-wide runner for a workload's traits, started on first use and never closed:
   * its {@code close()}, and {@code shutdown}/{@code shutdownNow}/{@code close} of its executor
   * view, do nothing. Its threads are daemons and its worker processes die with the JVM, so it
   * never keeps the JVM alive. For libraries and code paths that cannot own a runner.
   *
   * <p>Warning: every caller shares its queue and concurrency limit, so one caller's flood delays
   * the others; create your own with {@link #forWorkload} where you can.
   *
   * @param workload traits only; options such as {@code maxConcurrency} or {@code named} belong to
   *     an owned runner
   * @throws IllegalArgumentException if {@code workload} sets any option
   * @throws StrategyUnavailableException as {@link #forWorkload}
   */
  public static TaskRunner shared(Workload workload) {
    requireNonNull(workload, "workload");
    if (workload.hasOptions()) {
      throw new IllegalArgumentException(
          "shared runners take traits only, not options: " + workload);
    }
    TaskRunner runner = SHARED.get(workload);
    if (runner != null) {
      return runner;
    }
    return SHARED.computeIfAbsent(
        workload,
        w -> {
          String name = "shared-" + Chooser.shortName(Chooser.strategyFor(w));
          return new SharedRunner(forWorkload(w.named(name)));
        });
  }

  private static RunnerProvider provider(Strategy strategy) {
    for (RunnerProvider provider : ServiceLoader.load(RunnerProvider.class)) {
      if (provider.strategy() == strategy) {
        return provider;
      }
    }
    // The context class loader may not see this library (a plugin host, for example).
    ClassLoader own = Runners.class.getClassLoader();
    if (own != null) {
      for (RunnerProvider provider : ServiceLoader.load(RunnerProvider.class, own)) {
        if (provider.strategy() == strategy) {
          return provider;
        }
      }
    }
    throw new StrategyUnavailableException(strategy);
  }
}
