package io.taskrunner.strategies;

import io.taskrunner.Strategy;
import io.taskrunner.Workload;

/** The event loop keeps every promise of {@link TaskRunnerContractTest}. */
class EventLoopRunnerContractTest extends TaskRunnerContractTest {

  @Override
  protected Workload baseWorkload() {
    return Workload.ioBound().nonBlocking();
  }

  @Override
  protected Strategy expectedStrategy() {
    return Strategy.EVENT_LOOP;
  }
}
