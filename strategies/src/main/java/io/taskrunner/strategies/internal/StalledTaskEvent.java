package io.taskrunner.strategies.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** The JFR event {@code io.taskrunner.StalledTask}: a task holding a thread far past its usual time. */
@Name("io.taskrunner.StalledTask")
@Label("Stalled Task")
@Category({"taskrunner"})
@Description("A task has held a runner thread far longer than its key usually takes")
@StackTrace(false)
final class StalledTaskEvent extends Event {
  @Label("Runner")
  String runner = "";

  @Label("Key")
  String key = "";

  @Label("Thread")
  String thread = "";

  @Label("Held For")
  @Timespan(Timespan.NANOSECONDS)
  long heldFor;

  @Label("Busy")
  @Description("true: its thread was using a CPU; false: blocked or waiting")
  boolean busy;

  @Label("Top Frame")
  String topFrame = "";

  @Label("Message")
  String message = "";
}
