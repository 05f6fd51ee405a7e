package io.taskrunner.strategies;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskrunner.Runners;
import io.taskrunner.spi.RunnerProvider;
import io.taskrunner.strategies.threads.ThreadPoolProvider;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the published module descriptors promise: the small public surface, nothing internal. */
class ModuleTest {

  private static ModuleDescriptor descriptorOf(Class<?> type) throws URISyntaxException {
    Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    return ModuleFinder.of(location).findAll().iterator().next().descriptor();
  }

  private static Set<String> unqualifiedExports(ModuleDescriptor descriptor) {
    return descriptor.exports().stream()
        .filter(e -> !e.isQualified())
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
  }

  @Test
  void core_exportsTheApiAndTheSpiOnly() throws Exception {
    ModuleDescriptor core = descriptorOf(Runners.class);
    assertThat(core.name()).isEqualTo("io.taskrunner.core");
    assertThat(unqualifiedExports(core)).containsExactlyInAnyOrder("io.taskrunner", "io.taskrunner.spi");
    assertThat(core.uses()).containsExactly(RunnerProvider.class.getName());
    assertThat(core.exports())
        .filteredOn(e -> e.source().equals("io.taskrunner.internal"))
        .singleElement()
        .satisfies(e -> assertThat(e.targets()).doesNotContain("ALL-UNNAMED"));
  }

  @Test
  void strategies_exportNoImplementation_andProvideTheRunners() throws Exception {
    ModuleDescriptor strategies = descriptorOf(ThreadPoolProvider.class);
    assertThat(strategies.name()).isEqualTo("io.taskrunner.strategies");
    assertThat(unqualifiedExports(strategies))
        .allMatch(p -> p.equals("io.taskrunner.strategies"), "only the package of user builders");
    assertThat(strategies.exports())
        .filteredOn(ModuleDescriptor.Exports::isQualified)
        .allSatisfy(
            e ->
                assertThat(e.targets())
                    .isSubsetOf("io.taskrunner.jcstress", "io.taskrunner.benchmarks"));
    assertThat(strategies.provides())
        .filteredOn(p -> p.service().equals(RunnerProvider.class.getName()))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.providers())
                    .containsExactlyInAnyOrder(
                        "io.taskrunner.strategies.threads.ThreadPoolProvider",
                        "io.taskrunner.strategies.threads.VirtualThreadProvider",
                        "io.taskrunner.strategies.threads.AdaptiveProvider",
                        "io.taskrunner.strategies.loop.EventLoopProvider",
                        "io.taskrunner.strategies.process.ProcessPoolProvider"));
  }
}
