package io.taskrunner.strategies.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Orders a task's CANCEL frame after its REQUEST frame. Two parties race: the sender, which hands
 * the request to the worker's outbox and then calls {@link #sent}, and the finisher, which
 * completed the task's future other than by its reply (a cancel, a timeout) and calls {@link
 * #finished}. Whichever comes second is told to send CANCEL, so CANCEL goes out exactly once if the
 * request went out and the future completed, never before its request, and never for a request
 * that was not sent. The state, one int changed only by CAS:
 *
 * <ul>
 *   <li>{@code UNSENT} — neither has happened;
 *   <li>{@code SENT} — the request went out first; the finisher will send CANCEL;
 *   <li>{@code CANCEL_WANTED} — the future completed first; the sender will send CANCEL.
 * </ul>
 *
 * <p>Thread-safety: each method is called at most once, by its own party, from any thread. {@code
 * SendOrderStress} in jcstress-tests checks the race. Public only for those tests; the package is
 * not exported to users.
 */
public final class SendOrder {
  /** Neither the request went out nor the future completed. */
  static final int UNSENT = 0;

  /** The request went out before the future completed. */
  static final int SENT = 1;

  /** The future completed before the request went out. */
  static final int CANCEL_WANTED = 2;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(SendOrder.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** UNSENT, SENT or CANCEL_WANTED; accessed through {@code STATE}. */
  @SuppressWarnings("UnusedVariable") // accessed through STATE
  private volatile int state;

  /** Creates the state of a task whose request is not sent and whose future is not done. */
  public SendOrder() {}

  /**
   * The request was handed to the outbox.
   *
   * @return whether the future completed first: the caller must now send CANCEL
   */
  public boolean sent() {
    return (int) STATE.compareAndExchange(this, UNSENT, SENT) == CANCEL_WANTED;
  }

  /**
   * The future completed (by anything but the reply, or by the reply: the caller checks that the
   * request is still in flight before sending).
   *
   * @return whether the request went out first: the caller must now send CANCEL
   */
  public boolean finished() {
    return (int) STATE.compareAndExchange(this, UNSENT, CANCEL_WANTED) == SENT;
  }
}
