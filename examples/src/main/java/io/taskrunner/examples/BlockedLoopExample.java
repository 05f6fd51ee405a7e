package io.taskrunner.examples;

import io.taskrunner.strategies.BlockedLoopException;
import io.taskrunner.strategies.EventLoopRunner;
import io.taskrunner.strategies.Loops;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * What happens when a task blocks an event loop: the watchdog reports it once, with the loop
 * thread's stack naming the blocking call, and the loop serves again when the task ends. Then the
 * right way: the same blocking call through {@link Loops#runBlocking}, off the loop.
 */
public final class BlockedLoopExample {
  private BlockedLoopExample() {}

  /** Runs the example, printing the report. */
  public static void main(String[] args) throws Exception {
    var unused = run(System.out);
  }

  /** Runs the example on {@code out}; returns the reports the watchdog made. */
  static java.util.List<BlockedLoopException> run(PrintStream out) throws Exception {
    CopyOnWriteArrayList<BlockedLoopException> reports = new CopyOnWriteArrayList<>();
    try (EventLoopRunner loop =
        EventLoopRunner.builder()
            .blockedLoopThreshold(Duration.ofMillis(50))
            .onBlockedLoop(reports::add)
            .name("demo-loop")
            .build()) {
      // Wrong: a blocking call on the loop thread holds every other task on that loop.
      String wrong = loop.submit(BlockedLoopExample::legacyBlockingLookup).get(1, TimeUnit.MINUTES);
      // Right: the blocking call runs on a virtual thread; the loop resumes when it answers.
      String right =
          loop.submitAsync(ctx -> Loops.runBlocking(ctx, BlockedLoopExample::legacyBlockingLookup))
              .get(1, TimeUnit.MINUTES);
      out.println("both answered: " + wrong + ", " + right);
      out.println("blocked-loop reports: " + loop.blockedLoopCount());
      for (BlockedLoopException report : reports) {
        out.println(report.getMessage());
        StackTraceElement[] stack = report.getStackTrace();
        for (int i = 0; i < Math.min(6, stack.length); i++) {
          out.println("    at " + stack[i]);
        }
      }
    }
    return reports;
  }

  /** Stands for a JDBC call or a blocking HTTP client: 200 ms of waiting. */
  static String legacyBlockingLookup() throws InterruptedException {
    Thread.sleep(200); // the blocking call
    return "row 42";
  }
}
