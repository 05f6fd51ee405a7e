package io.taskrunner.internal;

import com.google.common.base.CharMatcher;
import com.google.common.base.Splitter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * How many cores this process may really use: the JVM's {@link Runtime#availableProcessors()},
 * capped by a cgroup CPU quota (v2 {@code cpu.max} on the process's cgroup and its ancestors, or
 * v1 {@code cpu.cfs_quota_us / cpu.cfs_period_us}). The JDK's own container detection can be
 * switched off ({@code -XX:-UseContainerSupport}) or miss a nested cgroup, so the quota is read
 * here too and the smaller figure wins.
 *
 * <p>Immutable and thread-safe.
 *
 * @param availableProcessors what {@code Runtime.availableProcessors()} returned
 * @param quotaCores the cgroup quota in cores, if one is set
 * @param source where the quota came from, or {@code "none"}
 */
public record CpuQuota(int availableProcessors, OptionalDouble quotaCores, String source) {

  private static final CpuQuota CURRENT =
      detect(Path.of("/"), Runtime.getRuntime().availableProcessors());

  /** The figures for this process, read once. */
  public static CpuQuota current() {
    return CURRENT;
  }

  /** The usable cores: {@code min(availableProcessors, ceil(quota))}, at least 1. */
  public int usableCores() {
    int cores = availableProcessors;
    if (quotaCores.isPresent()) {
      cores = Math.min(cores, (int) Math.ceil(quotaCores.getAsDouble()));
    }
    return Math.max(1, cores);
  }

  /** The formula with its inputs, e.g. {@code min(availableProcessors()=8, ceil(cpu.max=2.50))}. */
  public String formula() {
    if (quotaCores.isEmpty()) {
      return String.format(
          Locale.US,
          "availableProcessors()=%d (no cgroup CPU quota found)",
          availableProcessors);
    }
    return String.format(
        Locale.US,
        "min(availableProcessors()=%d, ceil(%s=%.2f))",
        availableProcessors,
        source,
        quotaCores.getAsDouble());
  }

  /**
   * Reads the quota under {@code root} (the file-system root, or a fake one in tests).
   *
   * @param root where {@code proc/self/cgroup} and {@code sys/fs/cgroup} are looked up
   * @param availableProcessors what the JVM reports
   */
  public static CpuQuota detect(Path root, int availableProcessors) {
    OptionalDouble best = OptionalDouble.empty();
    String source = "none";
    try {
      Path procCgroup = root.resolve("proc/self/cgroup");
      List<String> lines =
          Files.isReadable(procCgroup)
              ? Files.readAllLines(procCgroup, StandardCharsets.UTF_8)
              : List.of();
      for (String line : lines) {
        // v2: "0::/path"; v1: "4:cpu,cpuacct:/path"
        String[] parts = line.split(":", 3);
        if (parts.length != 3) {
          continue;
        }
        if (parts[0].equals("0") && parts[1].isEmpty()) {
          Path dir = root.resolve("sys/fs/cgroup");
          for (Path p = cgroupDir(dir, parts[2]); p != null && p.startsWith(dir); p = p.getParent()) {
            OptionalDouble q = readCpuMax(p.resolve("cpu.max"));
            if (q.isPresent() && (best.isEmpty() || q.getAsDouble() < best.getAsDouble())) {
              best = q;
              source = "cpu.max";
            }
          }
        } else if (Splitter.on(',').splitToList(parts[1]).contains("cpu")) {
          for (String mount : List.of("sys/fs/cgroup/cpu", "sys/fs/cgroup/cpu,cpuacct")) {
            Path base = root.resolve(mount);
            for (Path p = cgroupDir(base, parts[2]);
                p != null && p.startsWith(base);
                p = p.getParent()) {
              OptionalDouble q = readCfs(p);
              if (q.isPresent() && (best.isEmpty() || q.getAsDouble() < best.getAsDouble())) {
                best = q;
                source = "cpu.cfs_quota_us/cpu.cfs_period_us";
              }
            }
          }
        }
      }
      if (best.isEmpty()) {
        // A container often shows its own cgroup as the root.
        Path v2 = root.resolve("sys/fs/cgroup/cpu.max");
        OptionalDouble q = readCpuMax(v2);
        if (q.isPresent()) {
          best = q;
          source = "cpu.max";
        }
      }
    } catch (IOException | RuntimeException e) {
      // Unreadable or odd cgroup files: trust the JVM's figure.
    }
    return new CpuQuota(availableProcessors, best, source);
  }

  private static Path cgroupDir(Path base, String cgroupPath) {
    String relative = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
    return relative.isEmpty() ? base : base.resolve(relative).normalize();
  }

  private static OptionalDouble readCpuMax(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      return OptionalDouble.empty();
    }
    List<String> fields =
        Splitter.on(CharMatcher.whitespace())
            .omitEmptyStrings()
            .splitToList(Files.readString(file, StandardCharsets.UTF_8));
    if (fields.size() != 2 || fields.get(0).equals("max")) {
      return OptionalDouble.empty();
    }
    double quota = Double.parseDouble(fields.get(0));
    double period = Double.parseDouble(fields.get(1));
    return quota > 0 && period > 0 ? OptionalDouble.of(quota / period) : OptionalDouble.empty();
  }

  private static OptionalDouble readCfs(Path dir) throws IOException {
    Path quotaFile = dir.resolve("cpu.cfs_quota_us");
    Path periodFile = dir.resolve("cpu.cfs_period_us");
    if (!Files.isReadable(quotaFile) || !Files.isReadable(periodFile)) {
      return OptionalDouble.empty();
    }
    double quota = Double.parseDouble(Files.readString(quotaFile, StandardCharsets.UTF_8).trim());
    double period = Double.parseDouble(Files.readString(periodFile, StandardCharsets.UTF_8).trim());
    return quota > 0 && period > 0 ? OptionalDouble.of(quota / period) : OptionalDouble.empty();
  }
}
