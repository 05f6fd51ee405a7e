package io.taskrunner.strategies.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The JFR event {@code io.taskrunner.MisdeclaredTask}: a key whose tasks contradict the workload. */
@Name("io.taskrunner.MisdeclaredTask")
@Label("Misdeclared Task")
@Category({"taskrunner"})
@Description("Tasks of one key behave unlike their runner's declared workload")
@StackTrace(false)
final class MisdeclaredTaskEvent extends Event {
  @Label("Runner")
  String runner = "";

  @Label("Key")
  String key = "";

  @Label("Declared")
  String declared = "";

  @Label("CPU Share")
  @Description("CPU time divided by wall time over the samples")
  double cpuShare;

  @Label("Samples")
  long samples;

  @Label("Message")
  String message = "";
}
