/**
 * JMH benchmarks of the taskrunner runners against the raw JDK executors. Not a library: it
 * exports nothing and is packaged as an executable uber-jar ({@code target/benchmarks.jar}) that
 * runs on the class path.
 */
module io.taskrunner.benchmarks {
  requires io.taskrunner.strategies;
  requires jmh.core;
  requires io.netty.transport; // the event-loop benchmarks' peer
  requires io.netty.common;
  requires static com.google.errorprone.annotations;
}
