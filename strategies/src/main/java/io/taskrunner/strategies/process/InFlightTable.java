package io.taskrunner.strategies.process;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The requests in flight on one worker, keyed by request id, closed once when the worker dies.
 *
 * <p>The promise: every entry that {@link #register} accepted is handed out <b>exactly once</b>,
 * either by {@link #remove} (its reply arrived) or by {@link #close} (the worker died), so every
 * task gets exactly one outcome and none is stranded. A register that loses the race with close
 * returns {@code false} and the caller settles the task itself.
 *
 * <p>Concurrency: {@code closed} and every insertion are guarded by this object's lock, so a
 * register either happens before the close (and the close sees the entry) or after it (and is
 * refused). Removal is one atomic {@link ConcurrentHashMap#remove}, so a reply racing the close
 * yields the entry to exactly one of them. {@code InFlightTableStress} in jcstress-tests checks
 * both races. Thread-safe. Public only for those tests; the package is not exported to users.
 *
 * @param <T> what is in flight (the pool's remote task)
 */
public final class InFlightTable<T> {
  private final Map<Long, T> entries = new ConcurrentHashMap<>();

  @GuardedBy("this")
  private boolean closed;

  /** Creates an open, empty table. */
  public InFlightTable() {}

  /**
   * Adds {@code entry} under {@code id}, unless the table is closed.
   *
   * @return {@code false} if closed: the entry was not added
   */
  public synchronized boolean register(long id, T entry) {
    if (closed) {
      return false;
    }
    entries.put(id, entry);
    return true;
  }

  /** Removes and returns the entry for {@code id}; {@code null} if absent or already handed out. */
  public @Nullable T remove(long id) {
    return entries.remove(id);
  }

  /**
   * Closes the table: no register succeeds afterwards. Returns the entries still in flight, each of
   * which no {@link #remove} will return.
   */
  public List<T> close() {
    synchronized (this) {
      closed = true;
    }
    List<T> left = new ArrayList<>();
    for (Long id : List.copyOf(entries.keySet())) {
      T entry = entries.remove(id);
      if (entry != null) {
        left.add(entry);
      }
    }
    return left;
  }

  /** Whether an entry for {@code id} is in the table now. */
  public boolean contains(long id) {
    return entries.containsKey(id);
  }

  /** How many entries are in flight now. */
  public int size() {
    return entries.size();
  }
}
