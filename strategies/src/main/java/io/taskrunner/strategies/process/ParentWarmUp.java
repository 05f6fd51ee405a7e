package io.taskrunner.strategies.process;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The parent's half of cutting start-up: while the first pool's workers start (the parent only
 * waits for them then), one virtual thread runs, once per JVM, what the first {@code submit} would
 * otherwise do cold on the caller's critical path: serialize a lambda (about 45 ms in a fresh JVM),
 * decode a result, start a virtual thread (about 15 ms). It changes nothing: its results are
 * dropped, and a failure is ignored.
 */
final class ParentWarmUp {
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private ParentWarmUp() {}

  /** Starts the warm-up unless it already ran in this JVM. */
  static void startOnce(ProcessPoolConfig config) {
    if (config.codec() != null || !STARTED.compareAndSet(false, true)) {
      return; // a custom codec does not go through Java serialization
    }
    Thread unused = Thread.ofVirtual().name("taskrunner-warm-up").start(ParentWarmUp::run);
  }

  private static void run() {
    try {
      byte[] task = Codec.encode(AotCache.sampleTask());
      byte[] reply = Codec.encode(task.length);
      Object decoded =
          Codec.decode(reply, ParentWarmUp.class.getClassLoader(), Codec.filter(1 << 10, ""));
      if (!(decoded instanceof Integer)) {
        throw new IOException("decoded " + decoded);
      }
    } catch (IOException | ClassNotFoundException | RuntimeException e) {
      System.getLogger(ProcessPoolRunner.class.getName())
          .log(System.Logger.Level.DEBUG, "parent warm-up failed: {0}", e.toString());
    }
  }
}
