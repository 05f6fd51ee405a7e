package io.taskrunner;

/**
 * The concurrency models taskrunner offers, each backed by one strategy.
 *
 * <p>{@link Runners#forWorkload} picks one from the declared {@link Workload}; {@link
 * Runners#explain} says which and why.
 */
public enum Strategy {
  /** A work-stealing pool of platform threads sized to the usable cores: CPU-bound work. */
  THREAD_POOL("taskrunner-strategies"),
  /** One virtual thread per task with a concurrency limit: blocking I/O. */
  VIRTUAL_THREADS("taskrunner-strategies"),
  /** A pool of worker JVMs speaking a framed protocol over stdio: isolated CPU-bound work. */
  PROCESS_POOL("taskrunner-strategies"),
  /** A single-threaded event loop: many slow calls through non-blocking APIs. */
  EVENT_LOOP("taskrunner-strategies"),
  /** Measures tasks and routes them to the thread pool or virtual threads: undeclared work. */
  ADAPTIVE("taskrunner-strategies");

  private final String artifactId;

  Strategy(String artifactId) {
    this.artifactId = artifactId;
  }

  /** The Maven coordinates ({@code groupId:artifactId}) of the artifact that provides it. */
  public String artifact() {
    return "io.taskrunner:" + artifactId;
  }
}
