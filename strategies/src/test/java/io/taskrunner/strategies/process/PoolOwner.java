package io.taskrunner.strategies.process;

import io.taskrunner.TaskRunner;
import io.taskrunner.strategies.ProcessPool;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A child JVM that owns a two-worker pool, prints {@code PIDS <pid> <pid>} and then waits to be
 * killed: {@link ProcessPoolFaultTest#parentKilled_workersExit} kills it with SIGKILL.
 */
public final class PoolOwner {
  private PoolOwner() {}

  public static void main(String[] args) throws Exception {
    TaskRunner pool = ProcessPool.builder().name("owned").workers(2).build();
    ProcessPoolRunner runner = (ProcessPoolRunner) pool;
    System.out.println(
        "PIDS "
            + runner.workerPids().stream().map(String::valueOf).collect(Collectors.joining(" ")));
    System.out.flush();
    TimeUnit.MINUTES.sleep(5); // the workload: wait to be killed (the test kills us at once)
    pool.close();
  }
}
