package io.taskrunner.strategies.process;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * An unmodifiable list that crosses the pipe compactly: when every element is an {@link Integer}
 * (or every one a {@link Long}, or a {@link Double}) it is serialized as one primitive array, a
 * single block, instead of one object per element. Otherwise as an {@code Object[]}. The arrays go
 * through {@code readObject}, so the pool's {@link java.io.ObjectInputFilter} limits them.
 * Immutable once built; safe to share.
 */
final class PackedList<E extends @Nullable Object> extends AbstractList<E>
    implements RandomAccess, Serializable {
  private static final long serialVersionUID = 1L;

  private static final byte OBJECTS = 0;
  private static final byte INTS = 1;
  private static final byte LONGS = 2;
  private static final byte DOUBLES = 3;

  private transient @Nullable Object[] elements;

  PackedList(List<? extends E> source) {
    this.elements = source.toArray();
  }

  @Override
  @SuppressWarnings({"unchecked", "NullAway"}) // holds only Es; E may be nullable
  public E get(int index) {
    return (E) elements[index];
  }

  @Override
  public int size() {
    return elements.length;
  }

  private byte kind() {
    if (elements.length == 0) {
      return OBJECTS;
    }
    Class<?> first = elements[0] == null ? null : elements[0].getClass();
    if (first != Integer.class && first != Long.class && first != Double.class) {
      return OBJECTS;
    }
    for (Object element : elements) {
      if (element == null || element.getClass() != first) {
        return OBJECTS;
      }
    }
    return first == Integer.class ? INTS : first == Long.class ? LONGS : DOUBLES;
  }

  @SuppressWarnings("NullAway") // kind() returned a primitive kind only if no element is null
  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    byte kind = kind();
    out.writeByte(kind);
    int n = elements.length;
    switch (kind) {
      case INTS -> {
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
          values[i] = (Integer) elements[i];
        }
        out.writeObject(values);
      }
      case LONGS -> {
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
          values[i] = (Long) elements[i];
        }
        out.writeObject(values);
      }
      case DOUBLES -> {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
          values[i] = (Double) elements[i];
        }
        out.writeObject(values);
      }
      default -> out.writeObject(elements);
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    byte kind = in.readByte();
    Object array = in.readObject();
    Object[] read;
    if (kind == INTS && array instanceof int[] values) {
      read = new Object[values.length];
      for (int i = 0; i < values.length; i++) {
        read[i] = values[i];
      }
    } else if (kind == LONGS && array instanceof long[] values) {
      read = new Object[values.length];
      for (int i = 0; i < values.length; i++) {
        read[i] = values[i];
      }
    } else if (kind == DOUBLES && array instanceof double[] values) {
      read = new Object[values.length];
      for (int i = 0; i < values.length; i++) {
        read[i] = values[i];
      }
    } else if (kind == OBJECTS && array instanceof Object[] values) {
      read = values.clone();
    } else {
      throw new InvalidObjectException("corrupt PackedList: kind " + kind);
    }
    elements = read;
  }
}
