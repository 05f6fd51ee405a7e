package io.taskrunner.strategies.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.Runners;
import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ProcessPoolSmokeTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void forWorkload_isolated_runsTasksInWorkerProcesses() throws Exception {
    try (TaskRunner pool = Runners.forWorkload(Workload.cpuBound().isolated())) {
      assertThat(pool.strategy()).isEqualTo(Strategy.PROCESS_POOL);
      long pid = pool.submit(() -> ProcessHandle.current().pid()).get();
      assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
      assertThat(pool.map(x -> x * 2, List.of(1, 2, 3)).get()).containsExactly(2, 4, 6);
    }
  }
}
