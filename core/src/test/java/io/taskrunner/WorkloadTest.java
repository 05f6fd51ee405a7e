package io.taskrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  @Test
  void factories_declareTheirKind() {
    assertThat(Workload.cpuBound().kind()).isEqualTo(Workload.Kind.CPU_BOUND);
    assertThat(Workload.ioBound().kind()).isEqualTo(Workload.Kind.IO_BOUND);
    assertThat(Workload.unknown().kind()).isEqualTo(Workload.Kind.UNKNOWN);
    assertThat(Workload.ioBound().nonBlocking().isNonBlocking()).isTrue();
    assertThat(Workload.cpuBound().isolated().isIsolated()).isTrue();
    assertThat(Workload.cpuBound().isNonBlocking()).isFalse();
  }

  @Test
  void options_areKeptAndReadBack() {
    Workload w =
        Workload.ioBound()
            .maxConcurrency(200)
            .queueCapacity(64)
            .taskTimeout(Duration.ofSeconds(5))
            .named("billing");
    assertThat(w.maxConcurrency()).hasValue(200);
    assertThat(w.queueCapacity()).hasValue(64);
    assertThat(w.taskTimeout()).hasValue(Duration.ofSeconds(5));
    assertThat(w.name()).hasValue("billing");
    assertThat(Workload.ioBound().maxConcurrency()).isEmpty();
  }

  @Test
  void refinements_returnNewInstances_leavingTheOriginalUntouched() {
    Workload base = Workload.cpuBound();
    Workload named = base.named("x");
    assertThat(base.name()).isEmpty();
    assertThat(named).isNotEqualTo(base).isEqualTo(Workload.cpuBound().named("x"));
    assertThat(named.hashCode()).isEqualTo(Workload.cpuBound().named("x").hashCode());
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void badValues_failNamingTheArgument() {
    assertThatThrownBy(() -> Workload.cpuBound().maxConcurrency(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrency must be positive: 0");
    assertThatThrownBy(() -> Workload.cpuBound().queueCapacity(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queueCapacity must be positive: -1");
    assertThatThrownBy(() -> Workload.cpuBound().taskTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("taskTimeout must be positive: PT-0.001S");
    assertThatThrownBy(() -> Workload.cpuBound().taskTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("taskTimeout must be positive");
    assertThatThrownBy(() -> Workload.cpuBound().named(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank");
    assertThatThrownBy(() -> Workload.cpuBound().taskTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
  }

  @Test
  void settingTwice_failsNamingThePreviousValue() {
    assertThatThrownBy(() -> Workload.ioBound().queueCapacity(64).queueCapacity(32))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("queueCapacity was already set to 64");
    assertThatThrownBy(() -> Workload.ioBound().maxConcurrency(5).maxConcurrency(5))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxConcurrency was already set to 5");
    assertThatThrownBy(
            () ->
                Workload.ioBound()
                    .taskTimeout(Duration.ofSeconds(1))
                    .taskTimeout(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("taskTimeout was already set to PT1S");
    assertThatThrownBy(() -> Workload.ioBound().named("a").named("b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("name was already set to a");
    assertThatThrownBy(() -> Workload.ioBound().nonBlocking().nonBlocking())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("nonBlocking was already set");
    assertThatThrownBy(() -> Workload.cpuBound().isolated().isolated())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("isolated was already set");
  }

  @Test
  void conflictingTraits_fail() {
    assertThatThrownBy(() -> Workload.cpuBound().nonBlocking())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("nonBlocking cannot be combined with cpuBound");
    assertThatThrownBy(() -> Workload.unknown().nonBlocking())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("nonBlocking cannot be combined with unknown");
    assertThatThrownBy(() -> Workload.ioBound().nonBlocking().isolated())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("isolated cannot be combined with nonBlocking");
    assertThatThrownBy(() -> Workload.unknown().isolated())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("isolated cannot be combined with unknown");
    assertThatThrownBy(() -> Workload.unknown().rerouteMisdeclared())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("rerouteMisdeclared cannot be combined with unknown");
    assertThatThrownBy(() -> Workload.ioBound().nonBlocking().rerouteMisdeclared())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("rerouteMisdeclared cannot be combined with nonBlocking");
    assertThatThrownBy(() -> Workload.cpuBound().isolated().rerouteMisdeclared())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("rerouteMisdeclared cannot be combined with isolated");
    assertThatThrownBy(() -> Workload.cpuBound().rerouteMisdeclared().rerouteMisdeclared())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("rerouteMisdeclared was already set");
  }

  @Test
  void toString_readsAsTheCodeThatBuildsIt() {
    assertThat(Workload.ioBound().nonBlocking().maxConcurrency(3).named("n"))
        .hasToString("Workload.ioBound().nonBlocking().maxConcurrency(3).named(\"n\")");
    assertThat(Workload.cpuBound().isolated().taskTimeout(Duration.ofSeconds(2)))
        .hasToString("Workload.cpuBound().isolated().taskTimeout(PT2S)");
    assertThat(Workload.cpuBound().rerouteMisdeclared())
        .hasToString("Workload.cpuBound().rerouteMisdeclared()")
        .isNotEqualTo(Workload.cpuBound());
    assertThat(Workload.cpuBound().rerouteMisdeclared().isReroutingMisdeclared()).isTrue();
  }
}
