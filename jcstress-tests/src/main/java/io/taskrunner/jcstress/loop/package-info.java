/**
 * jcstress tests of the event loop: the hand-off and wake-up ({@link
 * io.taskrunner.jcstress.loop.LoopWakeupStress}) and a timer cancelled while it fires ({@link
 * io.taskrunner.jcstress.loop.TimerCancelFireStress}). Run them with {@code java -jar
 * jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs "-Xmx256m" -t
 * 'io.taskrunner.jcstress.loop.*'}.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.jcstress.loop;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;
