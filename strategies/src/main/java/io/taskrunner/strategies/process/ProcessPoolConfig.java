package io.taskrunner.strategies.process;

import static java.util.Objects.requireNonNull;

import io.taskrunner.strategies.PayloadCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The process pool's own settings, beyond the {@link io.taskrunner.spi.RunnerSpec}. Immutable.
 *
 * @param jvmOptions extra options for worker JVMs, before the ones the pool always adds
 * @param maxHeap the worker heap ({@code -Xmx} value such as {@code 256m}), or {@code null} for the
 *     JVM's default
 * @param classPath the workers' class path, or empty for the parent's (class path, module path and
 *     patched test classes)
 * @param javaCommand the {@code java} launcher, or {@code null} for the running JVM's
 * @param recycleAfterTasks replace a worker after it started this many tasks; 0 = never
 * @param recycleAboveHeapBytes replace a worker whose heap in use after a GC is above this; 0 =
 *     never
 * @param maxFrameBytes the largest payload sent or accepted, either way
 * @param startupTimeout how long a worker may take to say HELLO
 * @param cancelGrace how long a cancelled or timed-out running task may take to stop before its
 *     worker is killed
 * @param maxInFlightPerWorker how many tasks are sent to one worker before earlier ones finish
 * @param deserializationFilter an {@link java.io.ObjectInputFilter} pattern applied to every
 *     payload, on top of the size, depth and reference limits; empty for limits only
 * @param workerCommand a command that starts a worker that is not this library's JVM worker
 *     (it gets the worker arguments of PROTOCOL.md appended), or {@code null}
 * @param codec the payload codec for tasks and replies, or {@code null} for Java serialization
 * @param startupCache the directory of the workers' start-up cache (an AOT cache on JDK 25 and
 *     later, a dynamic class-data-sharing archive on JDK 21 to 24), or {@code null} for none
 * @param protectStdout launch through {@code /bin/sh} so that frames use a private fd and fd 1 is
 *     stderr (POSIX only)
 */
public record ProcessPoolConfig(
    List<String> jvmOptions,
    @Nullable String maxHeap,
    List<Path> classPath,
    @Nullable Path javaCommand,
    int recycleAfterTasks,
    long recycleAboveHeapBytes,
    int maxFrameBytes,
    Duration startupTimeout,
    Duration cancelGrace,
    int maxInFlightPerWorker,
    String deserializationFilter,
    @Nullable List<String> workerCommand,
    @Nullable PayloadCodec codec,
    @Nullable Path startupCache,
    boolean protectStdout) {

  /** Default {@code maxFrameBytes}: 64 MiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 64 << 20;

  /** Default {@code startupTimeout}: 30 s (a loaded machine can start JVMs slowly). */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);

  /** Default {@code cancelGrace}: 1 s. */
  public static final Duration DEFAULT_CANCEL_GRACE = Duration.ofSeconds(1);

  /** Default {@code maxInFlightPerWorker}: 2 (one running, one ready to start). */
  public static final int DEFAULT_MAX_IN_FLIGHT = 2;

  /** Copies the lists; checks nothing else (the builder did). */
  public ProcessPoolConfig {
    jvmOptions = List.copyOf(jvmOptions);
    classPath = List.copyOf(classPath);
    workerCommand = workerCommand == null ? null : List.copyOf(workerCommand);
    requireNonNull(startupTimeout, "startupTimeout");
    requireNonNull(cancelGrace, "cancelGrace");
    requireNonNull(deserializationFilter, "deserializationFilter");
  }

  /** The settings used by {@link io.taskrunner.Runners#forWorkload}. */
  public static ProcessPoolConfig defaults() {
    return new ProcessPoolConfig(
        List.of(),
        null,
        List.of(),
        null,
        0,
        0L,
        DEFAULT_MAX_FRAME_BYTES,
        DEFAULT_STARTUP_TIMEOUT,
        DEFAULT_CANCEL_GRACE,
        DEFAULT_MAX_IN_FLIGHT,
        "",
        null,
        null,
        AotCache.defaultDirectory(),
        true);
  }
}
