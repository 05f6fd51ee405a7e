/**
 * The built-in taskrunner strategies: a work-stealing platform-thread pool for CPU-bound work and a
 * virtual-thread-per-task runner for blocking I/O, registered with {@link java.util.ServiceLoader}
 * so that {@link io.taskrunner.Runners#forWorkload} finds them.
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
  exports io.taskrunner.strategies.threads to
      io.taskrunner.jcstress,
      io.taskrunner.benchmarks;
  exports io.taskrunner.strategies.loop to
      io.taskrunner.jcstress,
      io.taskrunner.benchmarks;

  // Builders and helpers users configure.
  exports io.taskrunner.strategies;

  provides io.taskrunner.spi.RunnerProvider with
      io.taskrunner.strategies.threads.ThreadPoolProvider,
      io.taskrunner.strategies.threads.VirtualThreadProvider,
      io.taskrunner.strategies.threads.AdaptiveProvider,
      io.taskrunner.strategies.loop.EventLoopProvider;
}
