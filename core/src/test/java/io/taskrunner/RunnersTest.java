package io.taskrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Core alone has no strategies: this is the "strategies missing from the class path" row. */
class RunnersTest {

  @Test
  void forWorkload_withoutStrategiesOnTheClassPath_namesTheArtifactToAdd() {
    assertThatThrownBy(() -> Runners.forWorkload(Workload.cpuBound()))
        .isInstanceOf(StrategyUnavailableException.class)
        .hasMessageContaining("io.taskrunner:taskrunner-strategies")
        .hasMessageContaining("THREAD_POOL")
        .satisfies(
            e ->
                assertThat(((StrategyUnavailableException) e).strategy())
                    .isEqualTo(Strategy.THREAD_POOL));
  }

  @Test
  void explain_needsNoStrategy_andUsesTheRealCpuCount() {
    Explanation e = Runners.explain(Workload.cpuBound());
    assertThat(e.strategy()).isEqualTo(Strategy.THREAD_POOL);
    assertThat(e.spec().maxConcurrency())
        .isBetween(1, Runtime.getRuntime().availableProcessors());
    assertThat(e.sizing()).contains("availableProcessors()=");
  }

  @Test
  void shared_rejectsOptions() {
    assertThatThrownBy(() -> Runners.shared(Workload.cpuBound().named("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("traits only");
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void nullArguments_failNamingTheParameter() {
    assertThatThrownBy(() -> Runners.forWorkload(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("workload");
    assertThatThrownBy(() -> Runners.explain(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("workload");
  }
}
