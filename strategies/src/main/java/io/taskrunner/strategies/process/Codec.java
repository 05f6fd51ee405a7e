package io.taskrunner.strategies.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.SerializedLambda;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Java-serialization payloads (codec byte {@link Frames#CODEC_JAVA}): encoding, bounded and
 * filtered decoding, and the search that names the field path to a value that is not serializable.
 * Stateless and thread-safe.
 */
final class Codec {
  private Codec() {}

  /** Deepest object graph accepted when decoding. */
  static final int MAX_DEPTH = 256;

  /** Most object references accepted in one payload. */
  static final int MAX_REFS = 4_000_000;

  /** Serializes {@code value} after the codec byte. */
  static byte[] encode(@Nullable Object value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    bytes.write(Frames.CODEC_JAVA);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    return bytes.toByteArray();
  }

  // Tags of the compact value codec (codec byte Frames.CODEC_VALUE), the byte after the codec.
  private static final byte TAG_NULL = 0;
  private static final byte TAG_FALSE = 1;
  private static final byte TAG_TRUE = 2;
  private static final byte TAG_INT = 3; // 4 bytes
  private static final byte TAG_LONG = 4; // 8 bytes
  private static final byte TAG_DOUBLE = 5; // 8 bytes, IEEE 754 bits
  private static final byte TAG_LATIN1 = 6; // a String whose chars are all below 256, one byte each
  private static final byte TAG_CHARS = 7; // any other String, two bytes per char (UTF-16 units)
  private static final byte TAG_BYTES = 8; // a byte[], as is

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle CHAR =
      MethodHandles.byteArrayViewVarHandle(char[].class, ByteOrder.BIG_ENDIAN);

  /**
   * Encodes the common result types compactly (codec byte {@link Frames#CODEC_VALUE}, a tag, the
   * value): {@code null}, {@link Boolean}, {@link Integer}, {@link Long}, {@link Double}, {@link
   * String} and {@code byte[]}, exactly those classes. A serialized {@code Integer} is 81 bytes
   * and costs an {@code ObjectOutputStream} on each side; this is 6 bytes and a few stores.
   *
   * @return the payload, or {@code null} if {@code value} is of another class
   */
  static byte @Nullable [] encodeValue(@Nullable Object value) {
    if (value == null) {
      return new byte[] {Frames.CODEC_VALUE, TAG_NULL};
    }
    Class<?> type = value.getClass();
    if (type == Integer.class) {
      byte[] out = new byte[6];
      out[0] = Frames.CODEC_VALUE;
      out[1] = TAG_INT;
      INT.set(out, 2, (int) (Integer) value);
      return out;
    }
    if (type == Long.class || type == Double.class) {
      byte[] out = new byte[10];
      out[0] = Frames.CODEC_VALUE;
      out[1] = type == Long.class ? TAG_LONG : TAG_DOUBLE;
      LONG.set(
          out,
          2,
          type == Long.class
              ? (long) (Long) value
              : Double.doubleToRawLongBits((Double) value));
      return out;
    }
    if (type == Boolean.class) {
      return new byte[] {Frames.CODEC_VALUE, (Boolean) value ? TAG_TRUE : TAG_FALSE};
    }
    if (type == byte[].class) {
      byte[] bytes = (byte[]) value;
      byte[] out = new byte[bytes.length + 2];
      out[0] = Frames.CODEC_VALUE;
      out[1] = TAG_BYTES;
      System.arraycopy(bytes, 0, out, 2, bytes.length);
      return out;
    }
    if (type == String.class) {
      String text = (String) value;
      int n = text.length();
      byte[] out = new byte[n + 2];
      out[0] = Frames.CODEC_VALUE;
      out[1] = TAG_LATIN1;
      for (int i = 0; i < n; i++) {
        char c = text.charAt(i);
        if (c >= 256) {
          return encodeChars(text);
        }
        out[2 + i] = (byte) c;
      }
      return out;
    }
    return null;
  }

  /**
   * Decodes a payload written by {@link #encodeValue}.
   *
   * @throws Frames.ProtocolException if the payload is not a well-formed compact value
   */
  static @Nullable Object decodeValue(byte[] payload) throws Frames.ProtocolException {
    if (payload.length < 2 || payload[0] != Frames.CODEC_VALUE) {
      throw new Frames.ProtocolException("malformed compact value: " + payload.length + " bytes");
    }
    int body = payload.length - 2;
    byte tag = payload[1];
    int expected =
        switch (tag) {
          case TAG_NULL, TAG_FALSE, TAG_TRUE -> 0;
          case TAG_INT -> 4;
          case TAG_LONG, TAG_DOUBLE -> 8;
          case TAG_LATIN1, TAG_BYTES -> body;
          case TAG_CHARS -> body - body % 2;
          default -> throw new Frames.ProtocolException("unknown compact value tag " + tag);
        };
    if (body != expected) {
      throw new Frames.ProtocolException(
          "malformed compact value with tag " + tag + ": " + body + " bytes");
    }
    return switch (tag) {
      case TAG_NULL -> null;
      case TAG_FALSE -> false;
      case TAG_TRUE -> true;
      case TAG_INT -> (int) INT.get(payload, 2);
      case TAG_LONG -> (long) LONG.get(payload, 2);
      case TAG_DOUBLE -> Double.longBitsToDouble((long) LONG.get(payload, 2));
      case TAG_LATIN1 -> new String(payload, 2, body, StandardCharsets.ISO_8859_1);
      case TAG_CHARS -> {
        char[] chars = new char[body / 2];
        for (int i = 0; i < chars.length; i++) {
          chars[i] = (char) CHAR.get(payload, 2 + 2 * i);
        }
        yield new String(chars);
      }
      default -> Arrays.copyOfRange(payload, 2, payload.length); // TAG_BYTES
    };
  }

  private static byte[] encodeChars(String text) {
    byte[] out = new byte[2 * text.length() + 2];
    out[0] = Frames.CODEC_VALUE;
    out[1] = TAG_CHARS;
    for (int i = 0; i < text.length(); i++) {
      CHAR.set(out, 2 + 2 * i, text.charAt(i));
    }
    return out;
  }

  /**
   * The filter for every payload: the given pattern (may be empty) and the depth, reference, array
   * and byte limits.
   */
  static ObjectInputFilter filter(int maxBytes, String pattern) {
    String limits =
        String.format(
            Locale.US,
            "maxdepth=%d;maxrefs=%d;maxarray=%d;maxbytes=%d",
            MAX_DEPTH,
            MAX_REFS,
            maxBytes,
            maxBytes);
    return ObjectInputFilter.Config.createFilter(
        pattern.isBlank() ? limits : limits + ";" + pattern);
  }

  /**
   * Decodes a payload written by {@link #encode}, resolving classes with {@code loader}.
   *
   * @throws InvalidClassException if the filter rejects a class or a limit is exceeded
   * @throws ClassNotFoundException if a class is missing
   */
  static @Nullable Object decode(byte[] payload, ClassLoader loader, ObjectInputFilter filter)
      throws IOException, ClassNotFoundException {
    if (payload.length == 0 || payload[0] != Frames.CODEC_JAVA) {
      throw new Frames.ProtocolException(
          "unknown payload codec "
              + (payload.length == 0 ? "(empty payload)" : "0x" + Integer.toHexString(payload[0])));
    }
    try (ObjectInputStream in =
        new LoaderObjectInputStream(
            new ByteArrayInputStream(payload, 1, payload.length - 1), loader)) {
      in.setObjectInputFilter(filter);
      return in.readObject();
    }
  }

  /**
   * Whether every instance of {@code type} is interchangeable with any other: a lambda class (hidden
   * or synthetic) with no instance field, that is a lambda that captures nothing. Such a task
   * serializes to the same bytes every time, and decoding those bytes again would only rebuild an
   * equivalent object, so both sides may cache the result.
   */
  static boolean isStateless(Class<?> type) {
    if (!(type.isHidden() || type.isSynthetic()) || !Serializable.class.isAssignableFrom(type)) {
      return false;
    }
    for (Class<?> k = type; k != null && k != Object.class; k = k.getSuperclass()) {
      for (Field field : k.getDeclaredFields()) {
        if (!Modifier.isStatic(field.getModifiers())) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Names where a value of the class {@code culpritClass} (from a {@link NotSerializableException})
   * sits in the graph under {@code root}, such as {@code task[captured 0].connection}; {@code
   * null} if it cannot be found (unreadable fields, for example).
   */
  static @Nullable String pathTo(Object root, String rootName, String culpritClass) {
    return search(
        root, rootName, culpritClass, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
  }

  private static @Nullable String search(
      @Nullable Object value, String path, String culprit, Set<Object> seen, int depth) {
    if (value == null || depth > 32 || !seen.add(value)) {
      return null;
    }
    Class<?> type = value.getClass();
    if (type.getName().equals(culprit)) {
      return path;
    }
    if (type.isArray()) {
      if (value instanceof Object[] array) {
        for (int i = 0; i < array.length; i++) {
          String found = search(array[i], path + "[" + i + "]", culprit, seen, depth + 1);
          if (found != null) {
            return found;
          }
        }
      }
      return null;
    }
    if (value instanceof Collection<?> collection && isJdk(type)) {
      int i = 0;
      for (Object element : collection) {
        String found = search(element, path + "[" + i++ + "]", culprit, seen, depth + 1);
        if (found != null) {
          return found;
        }
      }
      return null;
    }
    if (value instanceof Map<?, ?> map && isJdk(type)) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String found = search(entry.getKey(), path + ".key(" + entry.getKey() + ")", culprit, seen, depth + 1);
        if (found == null) {
          found = search(entry.getValue(), path + "[" + entry.getKey() + "]", culprit, seen, depth + 1);
        }
        if (found != null) {
          return found;
        }
      }
      return null;
    }
    SerializedLambda lambda = serializedLambda(value);
    if (lambda != null) {
      for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
        String found =
            search(lambda.getCapturedArg(i), path + "[captured " + i + "]", culprit, seen, depth + 1);
        if (found != null) {
          return found;
        }
      }
      return null;
    }
    for (Class<?> k = type; k != null && k != Object.class; k = k.getSuperclass()) {
      for (Field field : k.getDeclaredFields()) {
        int modifiers = field.getModifiers();
        if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers)) {
          continue;
        }
        Object fieldValue;
        try {
          field.setAccessible(true);
          fieldValue = field.get(value);
        } catch (RuntimeException | IllegalAccessException e) {
          continue; // not open to us: skip this field
        }
        String found = search(fieldValue, path + "." + field.getName(), culprit, seen, depth + 1);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static boolean isJdk(Class<?> type) {
    return type.getName().startsWith("java.");
  }

  private static @Nullable SerializedLambda serializedLambda(Object value) {
    if (!value.getClass().isSynthetic() && !value.getClass().isHidden()) {
      return null;
    }
    try {
      Method writeReplace = value.getClass().getDeclaredMethod("writeReplace");
      writeReplace.setAccessible(true);
      return writeReplace.invoke(value) instanceof SerializedLambda lambda ? lambda : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Resolves classes with a given loader instead of the caller's. */
  private static final class LoaderObjectInputStream extends ObjectInputStream {
    private final ClassLoader loader;

    LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(desc); // primitives and the platform's own classes
      }
    }
  }
}
