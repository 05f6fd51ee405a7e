package io.taskrunner.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.taskrunner.strategies.internal.TaskFuture;
import io.taskrunner.strategies.internal.TaskQueue;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code TaskQueue}, the CPU pool's lanes: a Michael–Scott queue whose nodes are the tasks
 * themselves, linked through {@code TaskFuture.queueNext}. Offering links the task after the last
 * node by CAS and then moves {@code tail} (a hint that may lag behind) by a second CAS; polling
 * moves {@code head} to the next node by CAS and then links the old head to itself. The races:
 * two pollers taking the same task (or one taking none while a task is there), a poll that swings
 * {@code head} past a {@code tail} that has not moved yet, an offer that starts from a {@code tail}
 * already self-linked by a poll (it must restart from {@code head}, not append to the dead node,
 * where the task would be lost), and two offers linking after the same node (one must retry
 * further on). Every case uses the real {@code TaskQueue} and real, never-run {@code TaskFuture}s
 * from a runner whose {@code dispatch} does nothing; each sample has a fresh queue and tasks.
 *
 * <p>A task is recorded by its number in the case ({@code 1}, {@code 2}, ... in the order the case
 * lists them), {@code 0} for {@code null}, {@code 9} for anything else. What the arbiter drains is
 * recorded as those numbers written one after another, oldest first ({@code 231} = tasks 2, 3
 * then 1; {@code 0} = nothing). Most cases end by checking that the queue still works: a fresh
 * task offered then comes back from the next {@code poll}, after which the queue is empty ({@code
 * 1}; {@code 0} if not).
 *
 * <p>Run: {@code java -jar jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs
 * "-Xmx256m" -t 'io.taskrunner.jcstress.TaskQueueStress'}
 */
public final class TaskQueueStress {
  private TaskQueueStress() {}

  private static final ProbeRunner RUNNER = ProbeRunner.detached();

  /** Two polls of a queue holding one task (1): exactly one gets it. r3: a third poll after. */
  @JCStressTest
  @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "the first poller took the task")
  @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the second poller took the task")
  @Outcome(
      expect = FORBIDDEN,
      desc = "both took it, neither did, or it was still there for a third poll")
  @State
  public static class PollVersusPoll {
    private final TaskQueue queue = newQueue();
    private final TaskFuture<?>[] tasks = newTasks(1);

    public PollVersusPoll() {
      queue.offer(tasks[0]);
    }

    @Actor
    public void poll1(III_Result r) {
      r.r1 = number(queue.poll(), tasks);
    }

    @Actor
    public void poll2(III_Result r) {
      r.r2 = number(queue.poll(), tasks);
    }

    @Arbiter
    public void arbiter(III_Result r) {
      r.r3 = number(queue.poll(), tasks);
    }
  }

  /**
   * Two polls of a queue holding two tasks (1, 2): each gets a different one, and neither gets
   * {@code null} (there was a task for each). r3: a third poll after.
   */
  @JCStressTest
  @Outcome(id = "1, 2, 0", expect = ACCEPTABLE, desc = "the first poller took the older task")
  @Outcome(id = "2, 1, 0", expect = ACCEPTABLE, desc = "the second poller took the older task")
  @Outcome(
      expect = FORBIDDEN,
      desc = "both took one task, a poller found the queue empty, or a task was left over")
  @State
  public static class PollVersusPollTwoQueued {
    private final TaskQueue queue = newQueue();
    private final TaskFuture<?>[] tasks = newTasks(2);

    public PollVersusPollTwoQueued() {
      queue.offer(tasks[0]);
      queue.offer(tasks[1]);
    }

    @Actor
    public void poll1(III_Result r) {
      r.r1 = number(queue.poll(), tasks);
    }

    @Actor
    public void poll2(III_Result r) {
      r.r2 = number(queue.poll(), tasks);
    }

    @Arbiter
    public void arbiter(III_Result r) {
      r.r3 = number(queue.poll(), tasks);
    }
  }

  /**
   * An offer (task 1) racing a poll of the empty queue; the poll may see the task or not, but the
   * task must then be either its result or in the queue, once. r1: the poll; r2: the drain; r3:
   * the queue still works (the poll may have swung {@code head} past a {@code tail} that the offer
   * had not moved yet, leaving {@code tail} on the self-linked stub for a moment).
   */
  @JCStressTest
  @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "the poll took the task")
  @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "the poll came first; the task was queued")
  @Outcome(
      expect = FORBIDDEN,
      desc = "the task was lost or seen twice, or the queue no longer works afterwards")
  @State
  public static class OfferVersusPoll {
    private final TaskQueue queue = newQueue();
    private final TaskFuture<?>[] tasks = newTasks(1);
    private final TaskFuture<?> fresh = newTask();

    @Actor
    public void offer() {
      queue.offer(tasks[0]);
    }

    @Actor
    public void poll(III_Result r) {
      r.r1 = number(queue.poll(), tasks);
    }

    @Arbiter
    public void arbiter(III_Result r) {
      r.r2 = drain(queue, tasks);
      r.r3 = stillWorks(queue, fresh);
    }
  }

  /**
   * Two producers, each offering two tasks (a1 = 1, a2 = 2; b1 = 3, b2 = 4), linking after the
   * same last node; the arbiter drains. All four exactly once, a1 before a2 and b1 before b2: any
   * of the six interleavings. r2: the queue still works.
   */
  @JCStressTest
  @Outcome(id = "1234, 1", expect = ACCEPTABLE, desc = "a1 a2 b1 b2")
  @Outcome(id = "1324, 1", expect = ACCEPTABLE, desc = "a1 b1 a2 b2")
  @Outcome(id = "1342, 1", expect = ACCEPTABLE, desc = "a1 b1 b2 a2")
  @Outcome(id = "3124, 1", expect = ACCEPTABLE, desc = "b1 a1 a2 b2")
  @Outcome(id = "3142, 1", expect = ACCEPTABLE, desc = "b1 a1 b2 a2")
  @Outcome(id = "3412, 1", expect = ACCEPTABLE, desc = "b1 b2 a1 a2")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "a task lost or drained twice, one producer's tasks out of order, or the queue no"
              + " longer works afterwards")
  @State
  public static class OfferTwoVersusOfferTwo {
    private final TaskQueue queue = newQueue();
    private final TaskFuture<?>[] tasks = newTasks(4);
    private final TaskFuture<?> fresh = newTask();

    @Actor
    public void producerA() {
      queue.offer(tasks[0]);
      queue.offer(tasks[1]);
    }

    @Actor
    public void producerB() {
      queue.offer(tasks[2]);
      queue.offer(tasks[3]);
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r1 = drain(queue, tasks);
      r.r2 = stillWorks(queue, fresh);
    }
  }

  /**
   * A queue holding one task (x = 1); a producer offers a1 (2) then a2 (3) while a consumer polls
   * twice. The first poll must get x (it was there before); the second gets a1 or nothing, never
   * a2 (a1 is older). The polls make the stub, then x, dummy nodes and link them to themselves
   * while the offers walk from a {@code tail} that may lag behind {@code head}. r1, r2: the polls;
   * r3: the drain; r4: the queue still works.
   */
  @JCStressTest
  @Outcome(
      id = "1, 0, 23, 1",
      expect = ACCEPTABLE,
      desc = "the second poll came before a1 was linked; the drain found a1, a2")
  @Outcome(id = "1, 2, 3, 1", expect = ACCEPTABLE, desc = "the second poll took a1; a2 drained")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "x not first, a task lost or seen twice, a2 before a1, or the queue no longer works"
              + " afterwards")
  @State
  public static class OfferTwoVersusPollTwo {
    private final TaskQueue queue = newQueue();
    private final TaskFuture<?>[] tasks = newTasks(3);
    private final TaskFuture<?> fresh = newTask();

    public OfferTwoVersusPollTwo() {
      queue.offer(tasks[0]);
    }

    @Actor
    public void producer() {
      queue.offer(tasks[1]);
      queue.offer(tasks[2]);
    }

    @Actor
    public void consumer(IIII_Result r) {
      r.r1 = number(queue.poll(), tasks);
      r.r2 = number(queue.poll(), tasks);
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      r.r3 = drain(queue, tasks);
      r.r4 = stillWorks(queue, fresh);
    }
  }

  /**
   * The stale, self-linked {@code tail}: one thread offers a (1) into the empty queue; the other
   * polls, offers b (2), polls again. When the poll takes a between a's link and a's move of
   * {@code tail}, {@code tail} is still the stub, which the poll has just linked to itself; b's
   * offer starts there and must restart from {@code head} (a), and then a's and b's moves of
   * {@code tail} race (a's may win and leave {@code tail} behind b). r1, r2: the polls; r3: the
   * drain; r4: the queue still works.
   */
  @JCStressTest
  @Outcome(
      id = "1, 2, 0, 1",
      expect = ACCEPTABLE,
      desc = "the first poll took a, the second b (b's offer may have started on the dead stub)")
  @Outcome(
      id = "0, 1, 2, 1",
      expect = ACCEPTABLE,
      desc = "the first poll found nothing; a was linked before b: the second poll took a")
  @Outcome(
      id = "0, 2, 1, 1",
      expect = ACCEPTABLE,
      desc = "the first poll found nothing; b was linked before a: the second poll took b")
  @Outcome(
      expect = FORBIDDEN,
      desc =
          "a task lost (appended to a dead node) or seen twice, the second poll missed b, or the"
              + " queue no longer works afterwards")
  @State
  public static class OfferVersusPollOfferPoll {
    private final TaskQueue queue = newQueue();
    private final TaskFuture<?>[] tasks = newTasks(2);
    private final TaskFuture<?> fresh = newTask();

    @Actor
    public void producer() {
      queue.offer(tasks[0]);
    }

    @Actor
    public void pollOfferPoll(IIII_Result r) {
      r.r1 = number(queue.poll(), tasks);
      queue.offer(tasks[1]);
      r.r2 = number(queue.poll(), tasks);
    }

    @Arbiter
    public void arbiter(IIII_Result r) {
      r.r3 = drain(queue, tasks);
      r.r4 = stillWorks(queue, fresh);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** An empty queue; also used by {@code WorkerPoolStress}. */
  static TaskQueue newQueue() {
    return new TaskQueue(RUNNER);
  }

  /** A real task, never run and never offered; also used by {@code WorkerPoolStress}. */
  static TaskFuture<?> newTask() {
    return (TaskFuture<?>) RUNNER.submit(() -> 0);
  }

  private static TaskFuture<?>[] newTasks(int n) {
    TaskFuture<?>[] tasks = new TaskFuture<?>[n];
    for (int i = 0; i < n; i++) {
      tasks[i] = newTask();
    }
    return tasks;
  }

  /** {@code task}'s number in {@code tasks} (from 1), 0 for {@code null}, 9 for another. */
  @SuppressWarnings("ReferenceEquality") // a task is itself, whatever its equals says
  private static int number(@Nullable TaskFuture<?> task, TaskFuture<?>[] tasks) {
    if (task == null) {
      return 0;
    }
    for (int i = 0; i < tasks.length; i++) {
      if (tasks[i] == task) {
        return i + 1;
      }
    }
    return 9;
  }

  /** Polls {@code queue} empty; the tasks' numbers as digits, oldest first (0 if none). */
  private static int drain(TaskQueue queue, TaskFuture<?>[] tasks) {
    List<TaskFuture<?>> drained = new ArrayList<>();
    queue.drainTo(drained);
    int digits = 0;
    for (TaskFuture<?> task : drained.subList(0, Math.min(drained.size(), 8))) {
      digits = digits * 10 + number(task, tasks);
    }
    return drained.size() > 8 ? -1 : digits;
  }

  /**
   * 1 if {@code fresh} (never offered), offered to the drained {@code queue}, is what the next poll
   * returns and the queue is then empty; 0 if not.
   */
  @SuppressWarnings("ReferenceEquality") // a task is itself, whatever its equals says
  private static int stillWorks(TaskQueue queue, TaskFuture<?> fresh) {
    if (!queue.isEmpty()) {
      return 0;
    }
    queue.offer(fresh);
    return !queue.isEmpty() && queue.poll() == fresh && queue.poll() == null && queue.isEmpty()
        ? 1
        : 0;
  }
}
