package io.taskrunner.strategies.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The wire format shared by the pool and {@link WorkerMain} (documented in {@code
 * strategies/PROTOCOL.md}): a 16-byte big-endian header, then the payload.
 *
 * <pre>
 * offset size field
 *      0    2 magic   0x54 0x52 ("TR")
 *      2    1 version 2
 *      3    1 type    HELLO, REQUEST, RESULT, FAILURE, CANCEL, CANCELLED, RETIRE
 *      4    8 id      request id (0 for HELLO)
 *     12    4 length  payload bytes, 0 ≤ length ≤ the receiver's limit
 * </pre>
 *
 * <p>The length is checked against the limit before anything is allocated, and a wrong magic,
 * version or type is reported as a {@link ProtocolException}, never misread. Stateless; callers
 * serialize writes to one stream.
 */
final class Frames {
  private Frames() {}

  static final int MAGIC = 0x5452;
  static final int VERSION = 2;
  static final int HEADER_BYTES = 16;

  /** The payload of CANCEL, CANCELLED and RETIRE; never written to. */
  static final byte[] EMPTY = new byte[0];

  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** Worker → pool, once, when ready: payload = pid (8 bytes) + UTF-8 description. */
  static final int HELLO = 1;

  /** Pool → worker: payload = codec byte + the serialized task. */
  static final int REQUEST = 2;

  /** Worker → pool: payload = codec byte + the serialized result. */
  static final int RESULT = 3;

  /** Worker → pool: payload = codec byte + the serialized {@link Throwable}. */
  static final int FAILURE = 4;

  /** Pool → worker: stop request {@code id}; empty payload. */
  static final int CANCEL = 5;

  /** Worker → pool: request {@code id} was dropped or stopped after a CANCEL; empty payload. */
  static final int CANCELLED = 6;

  /** Worker → pool: recycle me once my in-flight requests are answered; empty payload. */
  static final int RETIRE = 7;

  /** Payload codec: Java serialization. */
  static final byte CODEC_JAVA = 'J';

  /**
   * Payload codec of a RESULT from a JVM worker: one tag byte, then a compact value ({@code
   * null}, {@link Boolean}, {@link Integer}, {@link Long}, {@link Double}, {@link String}, {@code
   * byte[]}); see {@link Codec#encodeValue}.
   */
  static final byte CODEC_VALUE = 'V';

  /** One decoded frame. */
  @SuppressWarnings("ArrayRecordComponent") // internal; payloads are never compared or hashed
  record Frame(int type, long id, byte[] payload) {}

  /** Writes one frame; the caller flushes and holds the stream's lock. */
  static void write(DataOutputStream out, int type, long id, byte[] payload) throws IOException {
    byte[] header = new byte[HEADER_BYTES];
    SHORT.set(header, 0, (short) MAGIC);
    header[2] = (byte) VERSION;
    header[3] = (byte) type;
    LONG.set(header, 4, id);
    INT.set(header, 12, payload.length);
    out.write(header); // one call instead of five: each call on a buffered stream takes its lock
    out.write(payload);
  }

  /**
   * Reads one frame.
   *
   * @return the frame, or {@code null} at a clean end of stream (before the first header byte)
   * @throws ProtocolException on a wrong magic, version or type, or a length over {@code
   *     maxPayload}
   * @throws EOFException if the stream ends inside a frame
   */
  static @Nullable Frame read(DataInputStream in, int maxPayload) throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    byte[] header = new byte[HEADER_BYTES];
    header[0] = (byte) first;
    in.readFully(header, 1, HEADER_BYTES - 1);
    int magic = (short) SHORT.get(header, 0) & 0xffff;
    if (magic != MAGIC) {
      throw new ProtocolException(
          String.format(
              Locale.US,
              "bad magic 0x%04x (expected 0x%04x): the stream is corrupted or is not a taskrunner"
                  + " worker",
              magic,
              MAGIC));
    }
    int version = header[2] & 0xff;
    if (version != VERSION) {
      throw new ProtocolException(
          String.format(Locale.US, "unsupported protocol version %d (expected %d)", version, VERSION));
    }
    int type = header[3] & 0xff;
    if (type < HELLO || type > RETIRE) {
      throw new ProtocolException(String.format(Locale.US, "unknown frame type %d", type));
    }
    long id = (long) LONG.get(header, 4);
    int length = (int) INT.get(header, 12);
    if (length < 0 || length > maxPayload) {
      throw new ProtocolException(
          String.format(
              Locale.US,
              "frame %s #%d declares %d payload bytes, over the limit of %d",
              typeName(type),
              id,
              length,
              maxPayload));
    }
    byte[] payload = length == 0 ? EMPTY : new byte[length];
    in.readFully(payload);
    return new Frame(type, id, payload);
  }

  static String typeName(int type) {
    return switch (type) {
      case HELLO -> "HELLO";
      case REQUEST -> "REQUEST";
      case RESULT -> "RESULT";
      case FAILURE -> "FAILURE";
      case CANCEL -> "CANCEL";
      case CANCELLED -> "CANCELLED";
      case RETIRE -> "RETIRE";
      default -> "type " + type;
    };
  }

  /** The stream broke the protocol; the peer cannot be trusted any more. */
  static final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
      super(message);
    }
  }
}
