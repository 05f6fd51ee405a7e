/**
 * The built-in taskrunner strategies — a work-stealing platform-thread pool for CPU-bound work, a
 * virtual-thread-per-task runner for blocking I/O, a pool of worker JVMs for isolated work, event
 * loops for non-blocking I/O, and the adaptive runner for undeclared work — registered with {@link
 * java.util.ServiceLoader} so that {@link io.taskrunner.Runners#forWorkload} finds them.
 */
module io.taskrunner.strategies {
  requires transitive io.taskrunner.core;
  requires java.management;
  requires jdk.jfr;
  requires static com.google.errorprone.annotations;

  // Internals, for this project's stress tests and benchmarks only.
  exports io.taskrunner.strategies.internal to
      io.taskrunner.jcstress,
      io.taskrunner.benchmarks;
  exports io.taskrunner.strategies.process to
      io.taskrunner.jcstress,
      io.taskrunner.benchmarks;
  exports io.taskrunner.strategies.threads to
      io.taskrunner.jcstress,
      io.taskrunner.benchmarks;
  exports io.taskrunner.strategies.loop to
      io.taskrunner.jcstress,
      io.taskrunner.benchmarks;

  // What users configure: the process-pool and event-loop builders, Loops, their exceptions.
  exports io.taskrunner.strategies;

  provides io.taskrunner.spi.RunnerProvider with
      io.taskrunner.strategies.process.ProcessPoolProvider,
      io.taskrunner.strategies.threads.ThreadPoolProvider,
      io.taskrunner.strategies.threads.VirtualThreadProvider,
      io.taskrunner.strategies.threads.AdaptiveProvider,
      io.taskrunner.strategies.loop.EventLoopProvider;
}
