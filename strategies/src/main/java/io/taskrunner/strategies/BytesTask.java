package io.taskrunner.strategies;

import static java.util.Objects.requireNonNull;

import io.taskrunner.Task;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A task for a worker that is not a JVM: a named operation and its input bytes, carried by {@link
 * PayloadCodec#bytes()}. What the operation means is up to the worker (the example Python worker
 * serves {@code upper}, {@code json.sum} and {@code fail}). Immutable; the input is copied.
 *
 * <p>It cannot run in-process: {@link #call()} throws, so submit it only to a pool built with the
 * bytes codec and a matching {@link ProcessPool.Builder#workerCommand}.
 */
public final class BytesTask implements Task<byte[]> {
  private static final long serialVersionUID = 1L;

  private final String operation;
  private final byte[] input;

  private BytesTask(String operation, byte[] input) {
    this.operation = operation;
    this.input = input;
  }

  /**
   * A task applying {@code operation} to {@code input}.
   *
   * @throws IllegalArgumentException if the operation is blank or longer than 65 535 UTF-8 bytes
   */
  public static BytesTask of(String operation, byte[] input) {
    requireNonNull(operation, "operation");
    requireNonNull(input, "input");
    if (operation.isBlank()
        || operation.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 0xFFFF) {
      throw new IllegalArgumentException(
          "operation must be non-blank and at most 65535 UTF-8 bytes: " + operation);
    }
    return new BytesTask(operation, input.clone());
  }

  /** The operation's name. */
  public String operation() {
    return operation;
  }

  /** A copy of the input. */
  public byte[] input() {
    return input.clone();
  }

  byte[] inputNoCopy() {
    return input;
  }

  /**
   * Always throws: a bytes task runs only in a worker that serves the bytes codec.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public byte[] call() {
    throw new UnsupportedOperationException(
        "BytesTask '" + operation + "' runs only in a worker serving PayloadCodec.bytes()");
  }

  @Override
  public String toString() {
    return "BytesTask[" + operation + ", " + input.length + " bytes]";
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof BytesTask other
        && operation.equals(other.operation)
        && Arrays.equals(input, other.input);
  }

  @Override
  public int hashCode() {
    return 31 * operation.hashCode() + Arrays.hashCode(input);
  }
}
