package io.taskrunner.strategies;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.Runners;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void cpuAndIo() throws Exception {
    try (TaskRunner cpu = Runners.forWorkload(Workload.cpuBound())) {
      assertThat(cpu.submit(() -> 1 + 1).get()).isEqualTo(2);
      assertThat(cpu.map(x -> x * 2, List.of(1, 2, 3)).get()).containsExactly(2, 4, 6);
      System.out.println(cpu.stats());
    }
    try (TaskRunner io = Runners.forWorkload(Workload.ioBound())) {
      assertThat(io.submit(() -> Thread.currentThread().isVirtual()).get()).isTrue();
      System.out.println(io.stats());
    }
  }
}
