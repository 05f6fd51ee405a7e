package io.taskrunner;

import static io.taskrunner.internal.Checks.requirePositive;
import static io.taskrunner.internal.Checks.requireState;
import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * What the caller declares about its tasks, from which {@link Runners#forWorkload} picks a
 * strategy: an immutable value built from one of three factories and refined with traits and
 * options.
 *
 * <pre>{@code
 * Workload.cpuBound()                      // parallel computation in this JVM
 * Workload.cpuBound().isolated()           // computation in worker JVMs
 * Workload.ioBound()                       // blocking I/O: JDBC, blocking HTTP clients, files
 * Workload.ioBound().nonBlocking()         // many slow calls through non-blocking APIs
 * Workload.unknown()                       // measure, then route
 * Workload.ioBound().maxConcurrency(200).taskTimeout(Duration.ofSeconds(5)).named("billing")
 * }</pre>
 *
 * <p>Every method returns a new instance; instances are immutable and thread-safe. Each trait and
 * option may be set once: setting it again fails with {@link IllegalStateException} naming the
 * previous value, and contradicting traits fail the same way ({@code "nonBlocking cannot be
 * combined with cpuBound"}).
 *
 * <p>Defaults, when an option is not set: {@code maxConcurrency} — the usable cores for CPU work,
 * 10 000 for blocking I/O; {@code queueCapacity} — {@value #DEFAULT_QUEUE_CAPACITY} tasks waiting
 * beyond those that can run; no task timeout; a generated name.
 */
public final class Workload {

  /** Default number of accepted tasks that may wait for a free slot before submits are rejected. */
  public static final int DEFAULT_QUEUE_CAPACITY = 65_536;

  /** Default concurrency limit for blocking I/O on virtual threads. */
  public static final int DEFAULT_IO_CONCURRENCY = 10_000;

  /** The broad kind of work a workload declares. */
  public enum Kind {
    /** Computation: the task keeps a core busy while it runs. */
    CPU_BOUND,
    /** Waiting on I/O: the task mostly waits for something outside the JVM. */
    IO_BOUND,
    /** Not declared: the runner measures. */
    UNKNOWN
  }

  private static final Workload CPU =
      new Workload(Kind.CPU_BOUND, false, false, 0, 0, null, null, false);
  private static final Workload IO =
      new Workload(Kind.IO_BOUND, false, false, 0, 0, null, null, false);
  private static final Workload UNKNOWN =
      new Workload(Kind.UNKNOWN, false, false, 0, 0, null, null, false);

  private final Kind kind;
  private final boolean nonBlocking;
  private final boolean isolated;
  private final int maxConcurrency; // 0 = default
  private final int queueCapacity; // 0 = default
  private final @Nullable Duration taskTimeout;
  private final @Nullable String name;
  private final boolean reroute;

  private Workload(
      Kind kind,
      boolean nonBlocking,
      boolean isolated,
      int maxConcurrency,
      int queueCapacity,
      @Nullable Duration taskTimeout,
      @Nullable String name,
      boolean reroute) {
    this.kind = kind;
    this.nonBlocking = nonBlocking;
    this.isolated = isolated;
    this.maxConcurrency = maxConcurrency;
    this.queueCapacity = queueCapacity;
    this.taskTimeout = taskTimeout;
    this.name = name;
    this.reroute = reroute;
  }

  /**
   * Tasks that compute: they keep a core busy. Runs on a work-stealing pool of platform threads,
   * one per usable core (the JVM has no GIL, so threads already run Java code in parallel).
   */
  public static Workload cpuBound() {
    return CPU;
  }

  /**
   * Tasks that block on I/O (JDBC, blocking HTTP, files). Runs each task on its own virtual thread,
   * at most {@value #DEFAULT_IO_CONCURRENCY} at once unless {@link #maxConcurrency(int)} says
   * otherwise.
   */
  public static Workload ioBound() {
    return IO;
  }

  /**
   * Tasks whose nature is not declared: the runner measures CPU time against wall time per task
   * key and routes later submissions to the CPU or the I/O strategy.
   */
  public static Workload unknown() {
    return UNKNOWN;
  }

  /**
   * Declares that the I/O goes through non-blocking APIs, so the tasks can share an event loop.
   * Tasks on an event loop must never block it.
   *
   * @throws IllegalStateException unless this workload is {@link #ioBound()}, or if it is already
   *     non-blocking or isolated
   */
  public Workload nonBlocking() {
    requireState(kind == Kind.IO_BOUND, "nonBlocking cannot be combined with %s", kindMethod());
    requireState(!nonBlocking, "nonBlocking was already set");
    requireState(!isolated, "nonBlocking cannot be combined with isolated");
    return new Workload(
        kind, true, isolated, maxConcurrency, queueCapacity, taskTimeout, name, reroute);
  }

  /**
   * Declares that each task must run isolated from this JVM, in a worker process: a crash, {@code
   * System.exit}, a leak or a native fault then kills a worker, not the application. Costs a JVM
   * start per worker and serialization of every task and result.
   *
   * @throws IllegalStateException if this workload is {@link #unknown()} or non-blocking, or is
   *     already isolated
   */
  public Workload isolated() {
    requireState(kind != Kind.UNKNOWN, "isolated cannot be combined with unknown");
    requireState(!isolated, "isolated was already set");
    requireState(!nonBlocking, "isolated cannot be combined with nonBlocking");
    return new Workload(
        kind, nonBlocking, true, maxConcurrency, queueCapacity, taskTimeout, name, reroute);
  }

  /**
   * Caps how many tasks run at once: threads for CPU work, virtual threads for blocking I/O, worker
   * processes for isolated work, in-flight tasks on an event loop.
   *
   * @throws IllegalArgumentException if {@code limit <= 0}
   * @throws IllegalStateException if it was already set
   */
  public Workload maxConcurrency(int limit) {
    requirePositive(limit, "maxConcurrency");
    requireState(maxConcurrency == 0, "maxConcurrency was already set to %d", maxConcurrency);
    return new Workload(
        kind, nonBlocking, isolated, limit, queueCapacity, taskTimeout, name, reroute);
  }

  /**
   * Caps how many accepted tasks may wait beyond those that can run; a submit past the cap fails
   * with {@link java.util.concurrent.RejectedExecutionException}.
   *
   * @throws IllegalArgumentException if {@code capacity <= 0}
   * @throws IllegalStateException if it was already set
   */
  public Workload queueCapacity(int capacity) {
    requirePositive(capacity, "queueCapacity");
    requireState(queueCapacity == 0, "queueCapacity was already set to %d", queueCapacity);
    return new Workload(
        kind, nonBlocking, isolated, maxConcurrency, capacity, taskTimeout, name, reroute);
  }

  /**
   * Bounds how long each task may run, counted from the moment it starts. A task that runs longer
   * is stopped (interrupted on threads, cancelled on the loop, its worker killed for the process
   * pool) and its future fails with {@link java.util.concurrent.TimeoutException}.
   *
   * @throws IllegalArgumentException if {@code timeout} is zero or negative
   * @throws IllegalStateException if it was already set
   */
  public Workload taskTimeout(Duration timeout) {
    requireNonNull(timeout, "timeout");
    requirePositive(timeout, "taskTimeout");
    requireState(taskTimeout == null, "taskTimeout was already set to %s", taskTimeout);
    return new Workload(
        kind, nonBlocking, isolated, maxConcurrency, queueCapacity, timeout, name, reroute);
  }

  /**
   * Names the runner: the name appears in thread names, errors, {@code stats()} and JFR events.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws IllegalStateException if it was already set
   */
  public Workload named(String name) {
    requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    requireState(this.name == null, "name was already set to %s", this.name);
    return new Workload(
        kind, nonBlocking, isolated, maxConcurrency, queueCapacity, taskTimeout, name, reroute);
  }

  /**
   * Opts in to rerouting: once this runner's measurements report a task key as mis-declared (see
   * {@code stats().keys()}), its later tasks run on the other kind of thread — on virtual threads
   * for a key declared CPU-bound that mostly waits, on a platform-thread pool sized to the usable
   * cores for a key declared I/O-bound that mostly computes. Rerouted tasks keep the runner's
   * admission limit and lifecycle. Off by default: a report alone changes nothing.
   *
   * @throws IllegalStateException unless this workload is {@code cpuBound()} or blocking {@code
   *     ioBound()} and not isolated, or if it was already set
   */
  public Workload rerouteMisdeclared() {
    requireState(kind != Kind.UNKNOWN, "rerouteMisdeclared cannot be combined with unknown");
    requireState(!nonBlocking, "rerouteMisdeclared cannot be combined with nonBlocking");
    requireState(!isolated, "rerouteMisdeclared cannot be combined with isolated");
    requireState(!reroute, "rerouteMisdeclared was already set");
    return new Workload(
        kind, nonBlocking, isolated, maxConcurrency, queueCapacity, taskTimeout, name, true);
  }

  /** Whether {@link #rerouteMisdeclared()} was declared. */
  public boolean isReroutingMisdeclared() {
    return reroute;
  }

  /** The declared kind. */
  public Kind kind() {
    return kind;
  }

  /** Whether {@link #nonBlocking()} was declared. */
  public boolean isNonBlocking() {
    return nonBlocking;
  }

  /** Whether {@link #isolated()} was declared. */
  public boolean isIsolated() {
    return isolated;
  }

  /** The declared concurrency limit, if any. */
  public OptionalInt maxConcurrency() {
    return maxConcurrency == 0 ? OptionalInt.empty() : OptionalInt.of(maxConcurrency);
  }

  /** The declared queue capacity, if any. */
  public OptionalInt queueCapacity() {
    return queueCapacity == 0 ? OptionalInt.empty() : OptionalInt.of(queueCapacity);
  }

  /** The declared per-task timeout, if any. */
  public Optional<Duration> taskTimeout() {
    return Optional.ofNullable(taskTimeout);
  }

  /** The declared name, if any. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /** Whether any option (concurrency, queue, timeout, name) was set, beyond the traits. */
  boolean hasOptions() {
    return maxConcurrency != 0
        || queueCapacity != 0
        || taskTimeout != null
        || name != null
        || reroute;
  }

  private String kindMethod() {
    return switch (kind) {
      case CPU_BOUND -> "cpuBound";
      case IO_BOUND -> "ioBound";
      case UNKNOWN -> "unknown";
    };
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Workload w
        && kind == w.kind
        && nonBlocking == w.nonBlocking
        && isolated == w.isolated
        && maxConcurrency == w.maxConcurrency
        && queueCapacity == w.queueCapacity
        && Objects.equals(taskTimeout, w.taskTimeout)
        && Objects.equals(name, w.name)
        && reroute == w.reroute;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        kind, nonBlocking, isolated, maxConcurrency, queueCapacity, taskTimeout, name, reroute);
  }

  /** Reads as the code that builds it, e.g. {@code Workload.ioBound().nonBlocking()}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Workload.").append(kindMethod()).append("()");
    if (nonBlocking) {
      sb.append(".nonBlocking()");
    }
    if (isolated) {
      sb.append(".isolated()");
    }
    if (maxConcurrency != 0) {
      sb.append(".maxConcurrency(").append(maxConcurrency).append(')');
    }
    if (queueCapacity != 0) {
      sb.append(".queueCapacity(").append(queueCapacity).append(')');
    }
    if (taskTimeout != null) {
      sb.append(".taskTimeout(").append(taskTimeout).append(')');
    }
    if (name != null) {
      sb.append(".named(\"").append(name).append("\")");
    }
    if (reroute) {
      sb.append(".rerouteMisdeclared()");
    }
    return sb.toString();
  }
}
