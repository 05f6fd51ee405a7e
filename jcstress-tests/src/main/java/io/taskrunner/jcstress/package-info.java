/**
 * jcstress tests, in pairs (a {@code Simple} model isolating a race and an {@code Actual} case on
 * the shipped classes), one outer class per race. Run them all with {@code java -jar
 * jcstress-tests/target/jcstress.jar -m quick -sc false -jvmArgs "-Xmx256m" -t 'io.taskrunner.*'}.
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.jcstress;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;
