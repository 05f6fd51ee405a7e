package io.taskrunner.strategies;

import io.taskrunner.Task;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** {@link PayloadCodec#bytes()}. Stateless. */
final class BytesCodec implements PayloadCodec {
  static final BytesCodec INSTANCE = new BytesCodec();

  private BytesCodec() {}

  @Override
  public byte id() {
    return 'B';
  }

  @Override
  public byte[] encodeTask(Task<?> task) {
    if (!(task instanceof BytesTask bytes)) {
      throw new IllegalArgumentException(
          "the bytes codec carries BytesTask only, not " + task.getClass().getName());
    }
    byte[] operation = bytes.operation().getBytes(StandardCharsets.UTF_8);
    byte[] input = bytes.inputNoCopy();
    return ByteBuffer.allocate(2 + operation.length + input.length)
        .putShort((short) operation.length)
        .put(operation)
        .put(input)
        .array();
  }

  @Override
  public Object decodeResult(byte[] payload) {
    return payload;
  }

  @Override
  public Throwable decodeFailure(byte[] payload) throws IOException {
    String text = new String(payload, StandardCharsets.UTF_8);
    int colon = text.indexOf(": ");
    return colon > 0
        ? RemoteTaskException.of(text.substring(0, colon), text.substring(colon + 2))
        : RemoteTaskException.of("worker error", text);
  }
}
