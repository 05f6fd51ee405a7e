/**
 * Process-pool figures: start-up to first result, no-op round trip, pipelined throughput, {@code
 * map} throughput and CPU-bound speedup, with Python's {@code ProcessPoolExecutor} on the same
 * workloads in the same run ({@code benchmarks/python/process_pool_peer.py}, when {@code python3}
 * exists).
 */
@NullMarked
@CheckReturnValue
package io.taskrunner.benchmarks.process;

import com.google.errorprone.annotations.CheckReturnValue;
import org.jspecify.annotations.NullMarked;
