package io.taskrunner.strategies;

import static io.taskrunner.internal.Checks.requirePositive;
import static io.taskrunner.internal.Checks.requireState;
import static java.util.Objects.requireNonNull;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.Workload;
import io.taskrunner.internal.CpuQuota;
import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.process.ProcessPoolConfig;
import io.taskrunner.strategies.process.ProcessPoolProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Configured process pools: {@link io.taskrunner.Strategy#PROCESS_POOL} runners whose tasks run in
 * worker JVMs. {@code Runners.forWorkload(Workload.cpuBound().isolated())} gives one with the
 * defaults below; this builder sets everything else.
 *
 * <h2>What a process pool promises</h2>
 *
 * <ul>
 *   <li><b>Serialization.</b> A task and everything it captures are serialized when it is
 *       submitted; a task that cannot be serialized fails right there with {@link
 *       IllegalArgumentException} naming the class and the field path ({@code
 *       task[captured 0].connection}), so no bad task ever reaches a worker. Results and exceptions
 *       come back serialized, with the worker's stack trace and cause chain. Callables handed to
 *       {@link TaskRunner#asExecutorService()} must be {@link java.io.Serializable} too.
 *   <li><b>Cancellation.</b> {@code cancel(true)} on a running task, or its timeout, sends a
 *       cancel message: the worker interrupts the task. If the task has not returned after {@link
 *       Builder#cancelGrace}, the worker is killed and replaced, and the other tasks in flight on
 *       that worker fail with {@link WorkerCrashedException}. The future is cancelled at once
 *       either way.
 *   <li><b>Failures.</b> A worker that dies (signal, {@code System.exit}, {@code
 *       OutOfMemoryError}, native crash) fails only its own in-flight tasks, with a {@link
 *       WorkerCrashedException} carrying its exit code and stderr tail, and is replaced. A result
 *       that cannot be sent, or a class missing in the worker, fails only that task.
 *   <li><b>Output.</b> Whatever a task prints, to {@code System.out} or straight to file
 *       descriptor 1, goes to the worker's stderr, and from there to this JVM's {@link
 *       System.Logger}, tagged with the worker. It can never corrupt the protocol.
 *   <li><b>Lifecycle.</b> {@code close()} waits for accepted tasks, then stops the workers (they
 *       exit when their stdin closes; any still alive 2 s later is killed). Workers also exit by
 *       themselves within about 250 ms if this JVM dies, even by SIGKILL. A pool that is never
 *       closed keeps its workers until this JVM exits.
 *   <li><b>Threads.</b> No thread waits for a task. {@code submit} serializes the task and, when a
 *       JVM worker has room and no other thread is writing to it, writes the request on the calling
 *       thread (it blocks only while the worker reads a request larger than the pipe's buffer); a
 *       worker in another language is always written to by a thread of the pool. Futures complete
 *       on the worker's reader thread, which also decodes results. <b>Warning:</b> a listener
 *       added with {@code directExecutor()} runs on that thread, so one that blocks (on another
 *       task of this pool, say) stalls every reply of that worker, and may deadlock; use an
 *       executor of your own for anything but quick work.
 *   <li><b>{@code submitAsync}.</b> An asynchronous task starts work in this JVM (its stage cannot
 *       cross a process), so it runs in the parent on a virtual thread, not in a worker.
 * </ul>
 *
 * <p>The wire protocol is documented in {@code strategies/PROTOCOL.md}; {@link
 * Builder#workerCommand} and {@link PayloadCodec} let workers written in other languages serve
 * tasks through the same pool. Thread-safe: the static factory may be called from any thread.
 *
 * <pre>{@code
 * try (TaskRunner pool = ProcessPool.builder().workers(2).maxHeap("256m").build()) {
 *   long primes = pool.submit(() -> countPrimes(10_000_000)).get();
 * }
 * }</pre>
 */
public final class ProcessPool {
  private static final AtomicInteger NEXT_ID = new AtomicInteger();

  private ProcessPool() {}

  /** A new builder with every option at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds process pools. Every option may be set once; setting one twice throws {@link
   * IllegalStateException} ({@code "workers was already set to 4"}), a bad value throws {@link
   * IllegalArgumentException} naming the option. Defaults:
   *
   * <ul>
   *   <li>{@code name}: {@code process-pool-<n>};
   *   <li>{@code workers}: the usable cores (cgroup-quota aware);
   *   <li>{@code queueCapacity}: {@value io.taskrunner.Workload#DEFAULT_QUEUE_CAPACITY} tasks
   *       waiting beyond those in flight;
   *   <li>{@code taskTimeout}: none. Warning: without one, a task that hangs holds its worker
   *       forever; only {@code cancel(true)} frees it;
   *   <li>{@code jvmOptions}: none beyond those the pool always passes first ({@code -Xlog:disable
   *       -Xlog:all=warning:stderr -XX:+DisplayVMOutputToStderr -XX:+ExitOnOutOfMemoryError}, so
   *       that JVM output stays off the protocol and an {@code OutOfMemoryError} ends the worker);
   *   <li>{@code maxHeap}: the JVM's default ({@code -Xmx} is not passed);
   *   <li>{@code classPath}: the parent's class path, module path and patched module directories;
   *   <li>{@code javaCommand}: {@code $java.home/bin/java} of the running JVM;
   *   <li>{@code recycleAfterTasks}: never;
   *   <li>{@code recycleAboveHeap}: never;
   *   <li>{@code maxFrameBytes}: 64 MiB, for tasks and results alike (a task over it fails at
   *       submit; a result over it fails that task);
   *   <li>{@code startupTimeout}: 30 s per worker;
   *   <li>{@code cancelGrace}: 1 s between the cancel message and killing the worker;
   *   <li>{@code maxInFlightPerWorker}: 2, or 1 with a {@code taskTimeout} (pipelining; more helps
   *       tiny tasks, but a crash then fails more of them and long tasks may queue behind each
   *       other). It cannot be above 1 together with a {@code taskTimeout}, since a timeout counts
   *       from the moment a task is sent;
   *   <li>{@code deserializationFilter}: none beyond the size, depth (256) and reference limits;
   *   <li>{@code workerCommand}: none (a JVM running this library's worker); it cannot be combined
   *       with {@code jvmOptions}, {@code maxHeap}, {@code classPath}, {@code javaCommand}, {@code
   *       recycleAboveHeap}, {@code startupCache} or {@code startupCacheDirectory}, which configure
   *       that JVM;
   *   <li>{@code codec}: Java serialization;
   *   <li>{@code startupCache}: on (off for a {@code workerCommand}): an AOT cache (JDK 25+) or
   *       dynamic CDS archive (JDK 21-24) made by one background training run and used when every
   *       class-path entry is a jar; {@code startupCacheDirectory}: {@code
   *       ${java.io.tmpdir}/taskrunner-aot-<user>}. {@code startupCacheDirectory} cannot be combined
   *       with {@code startupCache(false)}.
   * </ul>
   *
   * <p>Not thread-safe: confine a builder to one thread. {@link #build()} copies the settings, so a
   * builder can build several pools.
   */
  @SuppressWarnings("exports") // the annotations module is optional at run time, by design
  public static final class Builder {
    private @Nullable String name;
    private int workers;
    private int queueCapacity;
    private @Nullable Duration taskTimeout;
    private @Nullable List<String> jvmOptions;
    private @Nullable String maxHeap;
    private @Nullable List<Path> classPath;
    private @Nullable Path javaCommand;
    private int recycleAfterTasks;
    private long recycleAboveHeapBytes;
    private int maxFrameBytes;
    private @Nullable Duration startupTimeout;
    private @Nullable Duration cancelGrace;
    private int maxInFlightPerWorker;
    private @Nullable String deserializationFilter;
    private @Nullable List<String> workerCommand;
    private @Nullable PayloadCodec codec;
    private @Nullable Boolean startupCache;
    private @Nullable Path startupCacheDirectory;

    private Builder() {}

    /** The runner's name, used in worker names, thread names, errors and stats. */
    @CanIgnoreReturnValue
    public Builder name(String name) {
      requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      requireState(this.name == null, "name was already set to %s", this.name);
      this.name = name;
      return this;
    }

    /** How many worker JVMs run at once. */
    @CanIgnoreReturnValue
    public Builder workers(int workers) {
      requirePositive(workers, "workers");
      requireState(this.workers == 0, "workers was already set to %d", this.workers);
      this.workers = workers;
      return this;
    }

    /** How many accepted tasks may wait beyond those in flight. */
    @CanIgnoreReturnValue
    public Builder queueCapacity(int capacity) {
      requirePositive(capacity, "queueCapacity");
      requireState(queueCapacity == 0, "queueCapacity was already set to %d", queueCapacity);
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * Bounds each task's run time, from the moment it is sent to a worker. A task over it fails
     * with {@link java.util.concurrent.TimeoutException}; its worker gets a cancel message and is
     * killed and replaced if the task has not stopped after {@link #cancelGrace}.
     */
    @CanIgnoreReturnValue
    public Builder taskTimeout(Duration timeout) {
      requireNonNull(timeout, "taskTimeout");
      io.taskrunner.internal.Checks.requirePositive(timeout, "taskTimeout");
      requireState(taskTimeout == null, "taskTimeout was already set to %s", taskTimeout);
      this.taskTimeout = timeout;
      return this;
    }

    /** Extra options for the worker JVMs, such as {@code -XX:+UseSerialGC}. */
    @CanIgnoreReturnValue
    public Builder jvmOptions(List<String> options) {
      requireNonNull(options, "jvmOptions");
      requireState(jvmOptions == null, "jvmOptions was already set to %s", jvmOptions);
      List<String> copy = new ArrayList<>(options.size());
      for (String option : options) {
        requireNonNull(option, "jvmOptions element");
        copy.add(option);
      }
      this.jvmOptions = List.copyOf(copy);
      return this;
    }

    /** The worker heap, as an {@code -Xmx} value: {@code 512m}, {@code 2g}. */
    @CanIgnoreReturnValue
    public Builder maxHeap(String size) {
      requireNonNull(size, "maxHeap");
      long unused = parseSize(size, "maxHeap");
      requireState(maxHeap == null, "maxHeap was already set to %s", maxHeap);
      this.maxHeap = size;
      return this;
    }

    /** The workers' class path, replacing the parent's. */
    @CanIgnoreReturnValue
    public Builder classPath(List<Path> entries) {
      requireNonNull(entries, "classPath");
      requireState(classPath == null, "classPath was already set to %s", classPath);
      if (entries.isEmpty()) {
        throw new IllegalArgumentException("classPath must not be empty");
      }
      List<Path> copy = new ArrayList<>(entries.size());
      for (Path entry : entries) {
        copy.add(requireNonNull(entry, "classPath element"));
      }
      this.classPath = List.copyOf(copy);
      return this;
    }

    /** The {@code java} launcher to run workers with. */
    @CanIgnoreReturnValue
    public Builder javaCommand(Path java) {
      requireNonNull(java, "javaCommand");
      requireState(javaCommand == null, "javaCommand was already set to %s", javaCommand);
      this.javaCommand = java;
      return this;
    }

    /** Replaces a worker once it has been given this many tasks (leaks stay bounded). */
    @CanIgnoreReturnValue
    public Builder recycleAfterTasks(int tasks) {
      requirePositive(tasks, "recycleAfterTasks");
      requireState(
          recycleAfterTasks == 0, "recycleAfterTasks was already set to %d", recycleAfterTasks);
      this.recycleAfterTasks = tasks;
      return this;
    }

    /**
     * Replaces a worker whose heap in use right after a garbage collection is above {@code size}
     * (an {@code -Xmx}-style value: {@code 256m}), checked after each task: a task that leaks
     * memory costs a worker start, not an {@code OutOfMemoryError} later. The worker finishes its
     * in-flight tasks first; its replacement starts at once.
     */
    @CanIgnoreReturnValue
    public Builder recycleAboveHeap(String size) {
      requireNonNull(size, "recycleAboveHeap");
      long bytes = parseSize(size, "recycleAboveHeap");
      requireState(
          recycleAboveHeapBytes == 0,
          "recycleAboveHeap was already set to %d bytes",
          recycleAboveHeapBytes);
      this.recycleAboveHeapBytes = bytes;
      return this;
    }

    private static long parseSize(String size, String name) {
      if (!size.matches("[0-9]+[kKmMgG]?")) {
        throw new IllegalArgumentException(name + " must look like 512m or 2g: " + size);
      }
      char unit = Character.toLowerCase(size.charAt(size.length() - 1));
      int shift = unit == 'k' ? 10 : unit == 'm' ? 20 : unit == 'g' ? 30 : 0;
      String digits = shift == 0 ? size : size.substring(0, size.length() - 1);
      long value;
      try {
        value = Long.parseLong(digits);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " is too large: " + size, e);
      }
      if (value <= 0 || value > (Long.MAX_VALUE >> shift)) {
        throw new IllegalArgumentException(name + " must be positive and fit in a long: " + size);
      }
      return value << shift;
    }

    /** The largest serialized task or result, in bytes. */
    @CanIgnoreReturnValue
    public Builder maxFrameBytes(int bytes) {
      requirePositive(bytes, "maxFrameBytes");
      requireState(maxFrameBytes == 0, "maxFrameBytes was already set to %d", maxFrameBytes);
      this.maxFrameBytes = bytes;
      return this;
    }

    /** How long a worker may take to start; {@link #build()} fails past it. */
    @CanIgnoreReturnValue
    public Builder startupTimeout(Duration timeout) {
      requireNonNull(timeout, "startupTimeout");
      io.taskrunner.internal.Checks.requirePositive(timeout, "startupTimeout");
      requireState(startupTimeout == null, "startupTimeout was already set to %s", startupTimeout);
      this.startupTimeout = timeout;
      return this;
    }

    /** How long a cancelled or timed-out task may take to stop before its worker is killed. */
    @CanIgnoreReturnValue
    public Builder cancelGrace(Duration grace) {
      requireNonNull(grace, "cancelGrace");
      io.taskrunner.internal.Checks.requirePositive(grace, "cancelGrace");
      requireState(cancelGrace == null, "cancelGrace was already set to %s", cancelGrace);
      this.cancelGrace = grace;
      return this;
    }

    /** How many tasks may be sent to one worker before earlier ones finish. */
    @CanIgnoreReturnValue
    public Builder maxInFlightPerWorker(int tasks) {
      requirePositive(tasks, "maxInFlightPerWorker");
      requireState(
          maxInFlightPerWorker == 0,
          "maxInFlightPerWorker was already set to %d",
          maxInFlightPerWorker);
      this.maxInFlightPerWorker = tasks;
      return this;
    }

    /**
     * An {@link java.io.ObjectInputFilter} pattern applied, with the pool's limits, to every task
     * and result decoded, such as {@code "com.acme.**;java.**;!*"}.
     */
    @CanIgnoreReturnValue
    public Builder deserializationFilter(String pattern) {
      requireNonNull(pattern, "deserializationFilter");
      requireState(
          deserializationFilter == null,
          "deserializationFilter was already set to %s",
          deserializationFilter);
      java.io.ObjectInputFilter unused = java.io.ObjectInputFilter.Config.createFilter(pattern);
      this.deserializationFilter = pattern;
      return this;
    }

    /**
     * Starts workers with this command instead of a JVM running this library's worker: for workers
     * written in another language ({@code List.of("python3", "worker.py")}). The pool appends the
     * worker arguments of {@code PROTOCOL.md} and speaks the same protocol; set a {@link #codec}
     * the worker understands.
     *
     * @throws IllegalArgumentException if the command is empty
     */
    @CanIgnoreReturnValue
    public Builder workerCommand(List<String> command) {
      requireNonNull(command, "workerCommand");
      requireState(workerCommand == null, "workerCommand was already set to %s", workerCommand);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("workerCommand must not be empty");
      }
      List<String> copy = new ArrayList<>(command.size());
      for (String part : command) {
        copy.add(requireNonNull(part, "workerCommand element"));
      }
      this.workerCommand = List.copyOf(copy);
      return this;
    }

    /**
     * Encodes tasks and decodes replies with {@code codec} instead of Java serialization, for a
     * {@link #workerCommand} that serves it (see {@link PayloadCodec#bytes()}).
     */
    @CanIgnoreReturnValue
    public Builder codec(PayloadCodec codec) {
      requireNonNull(codec, "codec");
      requireState(this.codec == null, "codec was already set to %s", this.codec);
      if (codec.id() == 'J') {
        throw new IllegalArgumentException("codec id 'J' is reserved for Java serialization");
      }
      this.codec = codec;
      return this;
    }

    /**
     * Turns the workers' start-up cache on or off; on by default. With it, worker JVMs map the
     * classes they need, already parsed and linked, from a cache file instead of loading them from
     * the jars: on JDK 25 and later an AOT cache (JEP 483 and 514; about half the start-up time of
     * a worker), on JDK 21 to 24 a dynamic class-data-sharing archive.
     *
     * <p>How it works: the cache file is keyed by a hash of the {@code java} launcher and its
     * version, the worker JVM options and every class-path entry with its size and modification
     * time, so a changed jar or JDK gets a new cache and the old one is never used. When the file
     * is missing, the first pool that needs it starts one training run in the background once its
     * own workers are ready: a worker JVM at low CPU priority that starts, runs one sample task,
     * exits and writes the cache (about 1-2 s of one core, once per class path); the file is
     * renamed into place atomically, so concurrent pools and JVMs never see a partial one. The
     * pool's own workers never record anything. Later workers and pools start from the cache. The
     * training run belongs to no pool: closing the pool does not stop it, it ends by itself
     * within seconds (or when this JVM exits), and it runs at most once at a time per cache.
     *
     * <p>Trade-offs: the cache applies only when every class-path entry is a jar (an application
     * jar, the Maven or Gradle run-time class path); with a non-empty directory on the class path,
     * as in tests run from {@code target/classes}, it is skipped (debug log). It costs disk space
     * (about 15 MB per class path; at most 8 caches are kept per directory, and unused ones are
     * deleted after 30 days). A cache never changes what
     * runs: one the JVM rejects (corrupt, truncated, made by another JDK) is ignored with a
     * warning in the worker's stderr, the worker starts as usual, and the pool deletes the file
     * so that a new training run replaces it (once a day at most); and it is skipped when the
     * JVM options already set class-data-sharing or AOT options. Turn it off where the worker
     * command or file system is unusual, or where the CPU of one extra JVM run matters.
     *
     * @see #startupCacheDirectory
     */
    @CanIgnoreReturnValue
    public Builder startupCache(boolean enabled) {
      requireState(startupCache == null, "startupCache was already set to %s", startupCache);
      this.startupCache = enabled;
      return this;
    }

    /**
     * Where the start-up cache lives, instead of {@code ${java.io.tmpdir}/taskrunner-aot-<user>}.
     * A missing directory is created (readable by its owner only, on POSIX); one that other users
     * can write is refused (a planted cache would run their code in the workers), and so is a
     * default directory owned by another user: the pool then starts without a cache and logs a
     * warning. A read-only directory holding a cache made beforehand (in a container image, say)
     * is used as is. Implies {@code startupCache(true)}.
     */
    @CanIgnoreReturnValue
    public Builder startupCacheDirectory(Path directory) {
      requireNonNull(directory, "startupCacheDirectory");
      requireState(
          startupCacheDirectory == null,
          "startupCacheDirectory was already set to %s",
          startupCacheDirectory);
      this.startupCacheDirectory = directory;
      return this;
    }

    /**
     * Starts the workers and returns the runner, which the caller owns and must close. Blocks until
     * every worker is ready (about 0.15 s each, in parallel; about 0.1 s with the {@linkplain
     * #startupCache start-up cache}).
     *
     * @throws WorkerCrashedException if a worker cannot start (bad option, missing class, start-up
     *     timeout); its exit code and stderr say why, and no process is left running
     */
    public TaskRunner build() {
      requireState(
          taskTimeout == null || maxInFlightPerWorker <= 1,
          "taskTimeout cannot be combined with maxInFlightPerWorker %d: a pipelined task would"
              + " time out while it waits in its worker",
          maxInFlightPerWorker);
      if (workerCommand != null) {
        requireState(jvmOptions == null, "workerCommand cannot be combined with jvmOptions");
        requireState(maxHeap == null, "workerCommand cannot be combined with maxHeap");
        requireState(classPath == null, "workerCommand cannot be combined with classPath");
        requireState(javaCommand == null, "workerCommand cannot be combined with javaCommand");
        requireState(
            recycleAboveHeapBytes == 0, "workerCommand cannot be combined with recycleAboveHeap");
        requireState(
            startupCache == null && startupCacheDirectory == null,
            "workerCommand cannot be combined with startupCache");
      }
      requireState(
          startupCacheDirectory == null || !Boolean.FALSE.equals(startupCache),
          "startupCacheDirectory cannot be combined with startupCache(false)");
      Path cacheDirectory = null;
      if (workerCommand == null && !Boolean.FALSE.equals(startupCache)) {
        cacheDirectory =
            startupCacheDirectory != null
                ? startupCacheDirectory
                : ProcessPoolConfig.defaults().startupCache();
      }
      int size = workers > 0 ? workers : CpuQuota.current().usableCores();
      String runnerName = name != null ? name : "process-pool-" + NEXT_ID.incrementAndGet();
      Workload workload = Workload.cpuBound().isolated().maxConcurrency(size).named(runnerName);
      if (queueCapacity > 0) {
        workload = workload.queueCapacity(queueCapacity);
      }
      if (taskTimeout != null) {
        workload = workload.taskTimeout(taskTimeout);
      }
      RunnerSpec spec =
          new RunnerSpec(
              workload,
              Strategy.PROCESS_POOL,
              runnerName,
              size,
              queueCapacity > 0 ? queueCapacity : Workload.DEFAULT_QUEUE_CAPACITY,
              taskTimeout);
      ProcessPoolConfig config =
          new ProcessPoolConfig(
              jvmOptions != null ? jvmOptions : List.of(),
              maxHeap,
              classPath != null ? classPath : List.of(),
              javaCommand,
              recycleAfterTasks,
              recycleAboveHeapBytes,
              maxFrameBytes > 0 ? maxFrameBytes : ProcessPoolConfig.DEFAULT_MAX_FRAME_BYTES,
              startupTimeout != null ? startupTimeout : ProcessPoolConfig.DEFAULT_STARTUP_TIMEOUT,
              cancelGrace != null ? cancelGrace : ProcessPoolConfig.DEFAULT_CANCEL_GRACE,
              maxInFlightPerWorker > 0
                  ? maxInFlightPerWorker
                  : ProcessPoolConfig.DEFAULT_MAX_IN_FLIGHT,
              deserializationFilter != null ? deserializationFilter : "",
              workerCommand,
              codec,
              cacheDirectory,
              true);
      return ProcessPoolProvider.create(spec, config);
    }
  }
}
