/** Runnable taskrunner examples and the main demo. */
module io.taskrunner.examples {
  requires io.taskrunner.core;
  requires io.taskrunner.strategies;
  requires jdk.httpserver;
  requires java.net.http;
  requires java.management;
  requires jdk.management;
  requires static org.jspecify;
  requires static com.google.errorprone.annotations;

  exports io.taskrunner.examples;
}
