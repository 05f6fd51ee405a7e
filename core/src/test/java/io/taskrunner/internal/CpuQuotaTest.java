package io.taskrunner.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuQuotaTest {
  @TempDir Path root;

  private void write(String relative, String content) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  @Test
  void cgroupV2_quotaCapsTheCores_rounding_up() throws IOException {
    write("proc/self/cgroup", "0::/app.slice/svc\n");
    write("sys/fs/cgroup/app.slice/svc/cpu.max", "150000 100000\n");
    CpuQuota quota = CpuQuota.detect(root, 8);
    assertThat(quota.usableCores()).isEqualTo(2);
    assertThat(quota.formula()).isEqualTo("min(availableProcessors()=8, ceil(cpu.max=1.50))");
  }

  @Test
  void cgroupV2_aTighterAncestorWins() throws IOException {
    write("proc/self/cgroup", "0::/a/b\n");
    write("sys/fs/cgroup/a/b/cpu.max", "max 100000\n");
    write("sys/fs/cgroup/a/cpu.max", "100000 100000\n");
    assertThat(CpuQuota.detect(root, 8).usableCores()).isEqualTo(1);
  }

  @Test
  void cgroupV2_withoutQuota_trustsTheJvm() throws IOException {
    write("proc/self/cgroup", "0::/\n");
    write("sys/fs/cgroup/cpu.max", "max 100000\n");
    CpuQuota quota = CpuQuota.detect(root, 4);
    assertThat(quota.usableCores()).isEqualTo(4);
    assertThat(quota.quotaCores()).isEmpty();
    assertThat(quota.formula()).contains("no cgroup CPU quota");
  }

  @Test
  void cgroupV1_cfsQuota() throws IOException {
    write("proc/self/cgroup", "4:cpu,cpuacct:/docker/x\n");
    write("sys/fs/cgroup/cpu,cpuacct/docker/x/cpu.cfs_quota_us", "300000\n");
    write("sys/fs/cgroup/cpu,cpuacct/docker/x/cpu.cfs_period_us", "100000\n");
    assertThat(CpuQuota.detect(root, 16).usableCores()).isEqualTo(3);
  }

  @Test
  void quotaAboveTheJvmCount_doesNotRaiseIt() throws IOException {
    write("proc/self/cgroup", "0::/\n");
    write("sys/fs/cgroup/cpu.max", "800000 100000\n");
    assertThat(CpuQuota.detect(root, 2).usableCores()).isEqualTo(2);
  }

  @Test
  void noCgroupFiles_orGarbage_trustTheJvm() throws IOException {
    assertThat(CpuQuota.detect(root, 3).usableCores()).isEqualTo(3);
    write("proc/self/cgroup", "0::/\n");
    write("sys/fs/cgroup/cpu.max", "garbage here\n");
    assertThat(CpuQuota.detect(root, 3).usableCores()).isEqualTo(3);
  }

  @Test
  void current_isAtLeastOne() {
    assertThat(CpuQuota.current().usableCores()).isPositive();
  }
}
