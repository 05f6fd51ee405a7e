package io.taskrunner.strategies.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The JFR event {@code io.taskrunner.Task}, committed when a task's future completes. Free when JFR
 * is off or the event is disabled: {@link #enabled()} is checked before anything is allocated.
 */
@Name("io.taskrunner.Task")
@Label("Task")
@Category({"taskrunner"})
@Description("A task run by a taskrunner runner, with its queue wait, run time and outcome")
@StackTrace(false)
final class TaskEvent extends Event {
  static final EventType TYPE = EventType.getEventType(TaskEvent.class);

  @Label("Runner")
  String runner = "";

  @Label("Strategy")
  String strategy = "";

  @Label("Queue Wait")
  @Timespan(Timespan.NANOSECONDS)
  long queueWait;

  @Label("Run Time")
  @Timespan(Timespan.NANOSECONDS)
  long runTime;

  @Label("Outcome")
  @Description("completed, failed, timed-out or cancelled")
  String outcome = "";

  /** Whether a recording wants these events now. */
  static boolean enabled() {
    return TYPE.isEnabled();
  }
}
