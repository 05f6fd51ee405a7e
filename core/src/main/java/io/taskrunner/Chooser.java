package io.taskrunner;

import io.taskrunner.internal.CpuQuota;
import io.taskrunner.spi.RunnerSpec;
import java.util.List;
import java.util.Locale;

/**
 * The rules of DESIGN §4: the JVM-correct version of "threads for blocking I/O, processes for CPU,
 * async for many slow calls". Stateless.
 */
final class Chooser {
  private Chooser() {}

  static Explanation explain(Workload workload, String defaultName, CpuQuota cpu) {
    Strategy strategy = strategyFor(workload);
    int cores = cpu.usableCores();
    int concurrency;
    String sizing;
    List<String> reasons;
    List<String> tradeOffs;
    switch (strategy) {
      case THREAD_POOL -> {
        concurrency = workload.maxConcurrency().orElse(cores);
        sizing =
            workload.maxConcurrency().isPresent()
                ? concurrency + " platform threads (declared maxConcurrency)"
                : String.format(
                    Locale.US, "%d platform threads = usable cores = %s", cores, cpu.formula());
        reasons =
            List.of(
                "CPU-bound work: the JVM has no GIL, so platform threads run Java code in"
                    + " parallel on every core at the lowest overhead",
                "one thread per usable core: more threads would only add context switches",
                "work-stealing keeps every core busy when task lengths vary");
        tradeOffs =
            List.of(
                "a task that blocks (I/O, locks, sleep) holds a core's thread idle: declare"
                    + " ioBound() for blocking work",
                "a crash, System.exit or native fault in a task takes down the whole JVM: declare"
                    + " isolated() to run tasks in worker processes");
      }
      case PROCESS_POOL -> {
        concurrency = workload.maxConcurrency().orElse(cores);
        sizing =
            workload.maxConcurrency().isPresent()
                ? concurrency + " worker JVMs (declared maxConcurrency)"
                : String.format(
                    Locale.US, "%d worker JVMs = usable cores = %s", cores, cpu.formula());
        reasons =
            List.of(
                "isolation was declared: each task runs in a separate worker JVM, so a crash,"
                    + " System.exit, a leak or a native fault kills a worker, not the"
                    + " application",
                "workers have their own heap and GC and may run with other JVM flags",
                "one worker per usable core gives CPU parallelism as well");
        tradeOffs =
            List.of(
                "each worker costs a JVM start (about 0.15 s) and its own memory",
                "every task, captured value and result is serialized over a pipe: tiny tasks"
                    + " pay a round trip; use map() to batch them",
                "without a need for isolation, cpuBound() threads are faster: evaluate carefully"
                    + " whether you really need processes");
      }
      case VIRTUAL_THREADS -> {
        concurrency = workload.maxConcurrency().orElse(Workload.DEFAULT_IO_CONCURRENCY);
        sizing =
            String.format(
                Locale.US,
                "one virtual thread per task, at most %d at once (%s)",
                concurrency,
                workload.maxConcurrency().isPresent()
                    ? "declared maxConcurrency"
                    : "default limit, protects the downstream service");
        reasons =
            List.of(
                "blocking I/O: a virtual thread that blocks parks cheaply and frees its carrier"
                    + " thread, so thousands can wait at once",
                "no pool to size: a new virtual thread per task, never reused",
                "the concurrency limit protects the services being called");
        tradeOffs =
            List.of(
                "CPU-heavy tasks gain nothing over a platform pool and may starve other virtual"
                    + " threads: declare cpuBound() for computation",
                "code that blocks while holding a monitor on JDK 21-23 pins its carrier thread");
      }
      case EVENT_LOOP -> {
        concurrency = workload.maxConcurrency().orElse(Workload.DEFAULT_IO_CONCURRENCY);
        sizing =
            String.format(
                Locale.US, "1 event-loop thread, at most %d tasks in flight", concurrency);
        reasons =
            List.of(
                "non-blocking I/O was declared: one thread multiplexes many slow calls through"
                    + " timers and a Selector, with no thread per call",
                "continuations run back on the loop, so task state needs no locks");
        tradeOffs =
            List.of(
                "a task that blocks stalls every other task on the loop (the blocked-loop"
                    + " detector reports it): only for code written against async APIs",
                "only worth it with many concurrent external calls; for a few blocking calls,"
                    + " ioBound() virtual threads are simpler");
      }
      case ADAPTIVE -> {
        concurrency = workload.maxConcurrency().orElse(cores);
        sizing =
            String.format(
                Locale.US,
                "CPU side: %d platform threads = usable cores = %s; I/O side: virtual threads",
                concurrency,
                cpu.formula());
        reasons =
            List.of(
                "nothing was declared: the first tasks of each key (its class, or Task.keyed) run"
                    + " on platform threads with CPU time and wall time measured",
                "after 4 samples a key's later tasks go to the CPU pool (at least 30% of wall"
                    + " time on a CPU) or to virtual threads; one in 64 is re-measured and a key"
                    + " that drifts moves; running tasks never move");
        tradeOffs =
            List.of(
                "until a key is decided its other tasks run on virtual threads, which is slower"
                    + " than the pool for heavy computation",
                "measuring costs about a microsecond per measured task; declaring the workload"
                    + " removes it");
      }
      default -> throw new IllegalStateException("unknown strategy " + strategy);
    }
    String name = workload.name().orElse(defaultName);
    RunnerSpec spec =
        new RunnerSpec(
            workload,
            strategy,
            name,
            concurrency,
            workload.queueCapacity().orElse(Workload.DEFAULT_QUEUE_CAPACITY),
            workload.taskTimeout().orElse(null));
    return new Explanation(workload, spec, sizing, reasons, tradeOffs);
  }

  static Strategy strategyFor(Workload workload) {
    if (workload.isIsolated()) {
      return Strategy.PROCESS_POOL;
    }
    return switch (workload.kind()) {
      case CPU_BOUND -> Strategy.THREAD_POOL;
      case IO_BOUND -> workload.isNonBlocking() ? Strategy.EVENT_LOOP : Strategy.VIRTUAL_THREADS;
      case UNKNOWN -> Strategy.ADAPTIVE;
    };
  }

  static String shortName(Strategy strategy) {
    return switch (strategy) {
      case THREAD_POOL -> "cpu";
      case VIRTUAL_THREADS -> "io";
      case PROCESS_POOL -> "process";
      case EVENT_LOOP -> "loop";
      case ADAPTIVE -> "adaptive";
    };
  }
}
