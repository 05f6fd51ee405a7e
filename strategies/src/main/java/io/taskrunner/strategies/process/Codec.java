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
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
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
