package io.taskrunner.strategies.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The wire format shared by the pool and {@link WorkerMain} (documented in {@code
 * strategies/PROTOCOL.md}): a 16-byte big-endian header, then the payload.
 *
 * <pre>
 * offset size field
 *      0    2 magic   0x54 0x52 ("TR")
 *      2    1 version 1
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
  static final int VERSION = 1;
  static final int HEADER_BYTES = 16;

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

  /** One decoded frame. */
  @SuppressWarnings("ArrayRecordComponent") // internal; payloads are never compared or hashed
  record Frame(int type, long id, byte[] payload) {}

  /** Writes one frame; the caller flushes and holds the stream's lock. */
  static void write(DataOutputStream out, int type, long id, byte[] payload) throws IOException {
    out.writeShort(MAGIC);
    out.writeByte(VERSION);
    out.writeByte(type);
    out.writeLong(id);
    out.writeInt(payload.length);
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
    int second = in.readUnsignedByte();
    int magic = (first << 8) | second;
    if (magic != MAGIC) {
      throw new ProtocolException(
          String.format(
              Locale.US,
              "bad magic 0x%04x (expected 0x%04x): the stream is corrupted or is not a taskrunner"
                  + " worker",
              magic,
              MAGIC));
    }
    int version = in.readUnsignedByte();
    if (version != VERSION) {
      throw new ProtocolException(
          String.format(Locale.US, "unsupported protocol version %d (expected %d)", version, VERSION));
    }
    int type = in.readUnsignedByte();
    if (type < HELLO || type > RETIRE) {
      throw new ProtocolException(String.format(Locale.US, "unknown frame type %d", type));
    }
    long id = in.readLong();
    int length = in.readInt();
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
    byte[] payload = new byte[length];
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
