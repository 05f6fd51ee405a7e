#!/usr/bin/env python3
"""Python's ProcessPoolExecutor on the workloads of ProcessPoolBenchmark, for the same table.

Prints lines "<figure>\t<value>\t<unit>" that ProcessPoolBenchmark merges with its own. Run alone:
    python3 benchmarks/python/process_pool_peer.py [workers]
"""

import concurrent.futures as cf
import sys
import time


def noop(x=0):
    return x


def plus_one(x):
    return x + 1


def count_primes(limit):
    count = 0
    for n in range(2, limit):
        d = 2
        prime = True
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


def report(figure, value, unit):
    print("%s\t%.1f\t%s" % (figure, value, unit), flush=True)


def main():
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    start = time.perf_counter()
    with cf.ProcessPoolExecutor(workers) as pool:
        pool.submit(noop, 1).result()
        report("start-up to first result (2 workers)", (time.perf_counter() - start) * 1e3, "ms")

        for _ in range(500):
            pool.submit(noop).result()
        samples = []
        for _ in range(2000):
            s = time.perf_counter()
            pool.submit(noop).result()
            samples.append(time.perf_counter() - s)
        samples.sort()
        report("no-op submit().get() p50", samples[len(samples) // 2] * 1e6, "us")

        n = 20000
        s = time.perf_counter()
        futures = [pool.submit(noop) for _ in range(n)]
        for f in futures:
            f.result()
        report("pipelined no-op tasks/s", n / (time.perf_counter() - s), "tasks/s")

        inputs = list(range(100000))
        s = time.perf_counter()
        out = list(pool.map(plus_one, inputs, chunksize=1000))
        report("map over 100 000 ints", len(out) / (time.perf_counter() - s), "items/s")

    # Same job as the Java side, scaled down (CPython is ~30x slower per prime test).
    def job(w):
        with cf.ProcessPoolExecutor(w) as pool:
            list(pool.map(count_primes, [20000] * w))  # warm the workers
            s = time.perf_counter()
            list(pool.map(count_primes, [100000] * 8))
            return time.perf_counter() - s

    one, two = job(1), job(2)
    report("CPU-bound speedup", one / two, "x")


if __name__ == "__main__":
    main()
