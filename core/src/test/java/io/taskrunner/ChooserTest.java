package io.taskrunner;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.internal.CpuQuota;
import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ChooserTest {
  private static final CpuQuota EIGHT_CORES_QUOTA_2_5 =
      new CpuQuota(8, OptionalDouble.of(2.5), "cpu.max");
  private static final CpuQuota TWO_CORES = new CpuQuota(2, OptionalDouble.empty(), "none");

  @Test
  void cpuBound_isAThreadPoolSizedToUsableCores_withTheFormula() {
    Explanation e = Chooser.explain(Workload.cpuBound(), "cpu-1", EIGHT_CORES_QUOTA_2_5);
    assertThat(e.strategy()).isEqualTo(Strategy.THREAD_POOL);
    assertThat(e.spec().maxConcurrency()).isEqualTo(3);
    assertThat(e.sizing()).contains("availableProcessors()=8").contains("cpu.max=2.50");
    assertThat(e.reasons()).anyMatch(r -> r.contains("no GIL"));
    assertThat(e.toString()).contains("THREAD_POOL").contains("no GIL");
  }

  @Test
  void isolated_isTheProcessPool_withItsCosts() {
    Explanation e = Chooser.explain(Workload.cpuBound().isolated(), "p", TWO_CORES);
    assertThat(e.strategy()).isEqualTo(Strategy.PROCESS_POOL);
    assertThat(e.spec().maxConcurrency()).isEqualTo(2);
    assertThat(e.tradeOffs()).anyMatch(t -> t.contains("JVM start"));
    assertThat(e.tradeOffs()).anyMatch(t -> t.contains("really need"));
  }

  @Test
  void blockingIo_isVirtualThreads_limitedTo10000ByDefault() {
    Explanation e = Chooser.explain(Workload.ioBound(), "io", TWO_CORES);
    assertThat(e.strategy()).isEqualTo(Strategy.VIRTUAL_THREADS);
    assertThat(e.spec().maxConcurrency()).isEqualTo(10_000);
    assertThat(e.reasons()).anyMatch(r -> r.contains("parks cheaply"));
  }

  @Test
  void nonBlockingIo_isTheEventLoop() {
    Explanation e = Chooser.explain(Workload.ioBound().nonBlocking(), "l", TWO_CORES);
    assertThat(e.strategy()).isEqualTo(Strategy.EVENT_LOOP);
    assertThat(e.tradeOffs()).anyMatch(t -> t.contains("blocks"));
  }

  @Test
  void unknown_isAdaptive() {
    assertThat(Chooser.explain(Workload.unknown(), "a", TWO_CORES).strategy())
        .isEqualTo(Strategy.ADAPTIVE);
  }

  @Test
  void declaredOptions_overrideDefaults() {
    Explanation e =
        Chooser.explain(
            Workload.ioBound()
                .maxConcurrency(50)
                .queueCapacity(7)
                .taskTimeout(Duration.ofSeconds(3))
                .named("billing"),
            "ignored",
            TWO_CORES);
    assertThat(e.spec().maxConcurrency()).isEqualTo(50);
    assertThat(e.spec().queueCapacity()).isEqualTo(7);
    assertThat(e.spec().taskTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(e.spec().name()).isEqualTo("billing");
    assertThat(e.sizing()).contains("declared maxConcurrency");
  }

  @Test
  void defaults_applyWhenNothingIsDeclared() {
    Explanation e = Chooser.explain(Workload.cpuBound(), "cpu-9", TWO_CORES);
    assertThat(e.spec().name()).isEqualTo("cpu-9");
    assertThat(e.spec().queueCapacity()).isEqualTo(Workload.DEFAULT_QUEUE_CAPACITY);
    assertThat(e.spec().taskTimeout()).isNull();
    assertThat(e.toString()).contains("timeout:    none");
  }
}
