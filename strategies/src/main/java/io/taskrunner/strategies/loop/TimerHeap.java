package io.taskrunner.strategies.loop;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A binary min-heap of timers ordered by deadline, then by creation order, so timers due at the same
 * instant fire in the order they were scheduled. Each timer remembers its index, so cancelling one
 * removes it in O(log n) and frees it at once instead of leaving it to rot until its deadline.
 *
 * <p>Not thread-safe: owned by one loop thread.
 */
final class TimerHeap {
  private static final int INITIAL_CAPACITY = 64;

  private @Nullable SleepFuture[] heap = new SleepFuture[INITIAL_CAPACITY];
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The earliest timer, or {@code null} if there is none. */
  @Nullable SleepFuture peek() {
    return heap[0];
  }

  void add(SleepFuture timer) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    siftUp(size++, timer);
  }

  /** Removes and returns the earliest timer; the heap must not be empty. */
  SleepFuture poll() {
    SleepFuture first = at(0);
    removeAt(0);
    return first;
  }

  /** Removes {@code timer} if it is in this heap; returns whether it was. */
  boolean remove(SleepFuture timer) {
    int i = timer.heapIndex;
    if (i < 0 || i >= size || heap[i] != timer) {
      return false;
    }
    removeAt(i);
    return true;
  }

  /** Removes every timer and returns them, in no particular order. */
  SleepFuture[] clear() {
    SleepFuture[] all = new SleepFuture[size];
    for (int i = 0; i < size; i++) {
      SleepFuture timer = at(i);
      timer.heapIndex = -1;
      all[i] = timer;
      heap[i] = null;
    }
    size = 0;
    return all;
  }

  private SleepFuture at(int i) {
    SleepFuture timer = heap[i];
    if (timer == null) {
      throw new IllegalStateException("no timer at index " + i + " of " + size);
    }
    return timer;
  }

  private void removeAt(int i) {
    SleepFuture removed = at(i);
    removed.heapIndex = -1;
    int last = --size;
    SleepFuture moved = at(last);
    heap[last] = null;
    if (i != last) {
      siftDown(i, moved);
      if (heap[i] == moved) {
        siftUp(i, moved);
      }
    }
    if (heap.length > INITIAL_CAPACITY && size < heap.length / 4) {
      heap = Arrays.copyOf(heap, heap.length / 2); // free the memory of a burst of timers
    }
  }

  private void siftUp(int index, SleepFuture timer) {
    int i = index;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      SleepFuture p = at(parent);
      if (!timer.firesBefore(p)) {
        break;
      }
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = timer;
    timer.heapIndex = i;
  }

  private void siftDown(int index, SleepFuture timer) {
    int i = index;
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      SleepFuture c = at(child);
      int right = child + 1;
      if (right < size && at(right).firesBefore(c)) {
        child = right;
        c = at(child);
      }
      if (!c.firesBefore(timer)) {
        break;
      }
      heap[i] = c;
      c.heapIndex = i;
      i = child;
    }
    heap[i] = timer;
    timer.heapIndex = i;
  }
}
