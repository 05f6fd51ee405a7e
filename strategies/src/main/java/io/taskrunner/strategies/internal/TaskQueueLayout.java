package io.taskrunner.strategies.internal;

/**
 * {@link TaskQueue}'s two ends, {@code head} and {@code tail}, each alone on its cache lines:
 * superclass fields are laid out before subclass fields, so each sits between two 64-byte pads.
 * Each pad starts with an int that fills the 4-byte gap before its longs (after a compressed object
 * header, or after the previous reference), where HotSpot would otherwise put the next class's
 * reference, since it fills gaps in superclasses.
 */
final class TaskQueueLayout {
  private TaskQueueLayout() {}

  @SuppressWarnings("UnusedVariable") // padding
  abstract static class PadBeforeHead {
    int p00;
    long p01, p02, p03, p04, p05, p06, p07, p08;
  }

  abstract static class HeadField extends PadBeforeHead {
    /** The dummy node: the last task taken, or the stub; accessed through {@code HEAD}. */
    @SuppressWarnings({"UnusedVariable", "NullAway.Init"}) // set in TaskQueue's constructor
    volatile TaskFuture<?> head;
  }

  @SuppressWarnings("UnusedVariable") // padding
  abstract static class PadBeforeTail extends HeadField {
    int p10;
    long p11, p12, p13, p14, p15, p16, p17, p18;
  }

  abstract static class TailField extends PadBeforeTail {
    /** The last node, or one before it; accessed through {@code TAIL}. */
    @SuppressWarnings({"UnusedVariable", "NullAway.Init"}) // set in TaskQueue's constructor
    volatile TaskFuture<?> tail;
  }
}
