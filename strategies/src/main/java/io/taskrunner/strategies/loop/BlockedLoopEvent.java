package io.taskrunner.strategies.loop;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** The JFR event {@code io.taskrunner.BlockedLoop}: a task held a loop past the threshold. */
@Name("io.taskrunner.BlockedLoop")
@Label("Blocked Event Loop")
@Category({"taskrunner"})
@Description("A task held an event-loop thread longer than the blocked-loop threshold")
@StackTrace(false) // the watchdog's own stack is useless; the loop's is in loopStack
final class BlockedLoopEvent extends Event {
  @Label("Runner")
  String runner = "";

  @Label("Loop Thread")
  String loopThread = "";

  @Label("Blocked For")
  @Timespan(Timespan.NANOSECONDS)
  long blockedFor;

  @Label("Task")
  String task = "";

  @Label("Loop Stack")
  @Description("The loop thread's stack when the block was noticed")
  String loopStack = "";
}
