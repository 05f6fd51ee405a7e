package io.taskrunner.examples;

import com.google.common.util.concurrent.ListenableFuture;
import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import io.taskrunner.strategies.WorkerCrashedException;
import java.io.PrintStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Isolation on the process pool: a task that calls {@code System.exit} kills its worker JVM, not
 * this application. Only that task fails, with a {@link WorkerCrashedException} carrying the exit
 * code and the worker's last stderr lines; the pool replaces the worker and keeps serving.
 */
public final class CrashingWorkerExample {
  private CrashingWorkerExample() {}

  /** Runs the example, printing what happens. */
  public static void main(String[] args) throws Exception {
    var unused = run(System.out);
  }

  /** Runs the example on {@code out}; returns the crashed worker's exit code. */
  static int run(PrintStream out) throws Exception {
    try (TaskRunner pool = Runners.forWorkload(Workload.cpuBound().isolated())) {
      ListenableFuture<String> doomed =
          pool.submit(
              () -> {
                System.err.println("about to take my worker down");
                System.exit(3); // a crash, a native fault, a leak... in someone else's JVM
                return "unreachable";
              });
      int exitCode;
      try {
        doomed.get(1, TimeUnit.MINUTES);
        throw new IllegalStateException("the doomed task returned");
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof WorkerCrashedException crash)) {
          throw e;
        }
        exitCode = crash.exitCode().orElse(-1);
        out.println("task failed: " + crash.getMessage());
        out.println("worker's last stderr lines: " + crash.stderrTail());
      }
      String after = pool.submit(() -> "still serving, pid " + ProcessHandle.current().pid()).get(1, TimeUnit.MINUTES);
      out.println("the application lives on; the pool answers: " + after);
      out.println("this JVM is pid " + ProcessHandle.current().pid());
      return exitCode;
    }
  }
}
