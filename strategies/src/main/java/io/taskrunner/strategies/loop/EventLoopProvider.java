package io.taskrunner.strategies.loop;

import io.taskrunner.Strategy;
import io.taskrunner.TaskRunner;
import io.taskrunner.spi.RunnerProvider;
import io.taskrunner.spi.RunnerSpec;
import io.taskrunner.strategies.BlockedLoopException;
import io.taskrunner.strategies.EventLoopRunner;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Provides the {@link Strategy#EVENT_LOOP} runner through {@link java.util.ServiceLoader}: one loop,
 * the default blocked-loop threshold. {@link EventLoopRunner#builder()} configures more.
 */
public final class EventLoopProvider implements RunnerProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public EventLoopProvider() {}

  @Override
  public Strategy strategy() {
    return Strategy.EVENT_LOOP;
  }

  @Override
  public TaskRunner create(RunnerSpec spec) {
    return create(spec, 1, EventLoopRunner.DEFAULT_BLOCKED_LOOP_THRESHOLD, null);
  }

  /**
   * Creates an event-loop runner; for {@link EventLoopRunner.Builder#build()}, which has checked the
   * arguments.
   */
  public static EventLoopRunner create(
      RunnerSpec spec,
      int loops,
      Duration blockedLoopThreshold,
      @Nullable Consumer<? super BlockedLoopException> listener) {
    return new EventLoopTaskRunner(
        spec, loops, blockedLoopThreshold, listener != null ? listener : report -> {});
  }
}
