#!/usr/bin/env python3
"""Python asyncio on the workloads of io.taskrunner.benchmarks.loop, for BENCHMARKS.md.

1. no-op dispatch: gather N no-op coroutines (the asyncio idiom closest to handing tasks to the
   loop), in tasks per second;
2. timers: N concurrent asyncio.sleep(0.1), as a ratio to the ideal 100 ms
   (LoopTimerBenchmark's measure);
3. TCP echo: one loop serving C loopback connections, each doing R request/response round trips
   of 64 bytes (TcpEchoComparison's workload), in round trips per second. Client and server share
   the loop here, so the figure is a lower bound of the server's capacity.

Run: python3 benchmarks/python/asyncio_loop.py [--echo-connections 1000] [--echo-rounds 10]
"""
import argparse
import asyncio
import time


async def noop():
    return None


async def dispatch(n):
    start = time.perf_counter()
    await asyncio.gather(*(noop() for _ in range(n)))
    return n / (time.perf_counter() - start)


async def timers(n):
    start = time.perf_counter()
    await asyncio.gather(*(asyncio.sleep(0.1) for _ in range(n)))
    return (time.perf_counter() - start) / 0.1


async def echo_handler(reader, writer):
    try:
        while True:
            data = await reader.read(256)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def echo(connections, rounds):
    server = await asyncio.start_server(echo_handler, "127.0.0.1", 0, backlog=16384)
    port = server.sockets[0].getsockname()[1]
    message = b"x" * 64
    sem = asyncio.Semaphore(500)  # connects in flight, as in TcpEchoComparison

    async def connect():
        async with sem:
            return await asyncio.open_connection("127.0.0.1", port)

    conns = await asyncio.gather(*(connect() for _ in range(connections)))

    async def talk(reader, writer):
        for _ in range(rounds):
            writer.write(message)
            await writer.drain()
            await reader.readexactly(len(message))
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(talk(r, w) for r, w in conns))
    elapsed = time.perf_counter() - start
    server.close()
    await server.wait_closed()
    return connections * rounds / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--noop", type=int, default=100_000)
    parser.add_argument("--echo-connections", type=int, default=1_000)
    parser.add_argument("--echo-rounds", type=int, default=10)
    args = parser.parse_args()
    for _ in range(3):  # the last round counts; the first ones warm up allocators and caches
        rate = asyncio.run(dispatch(args.noop))
    print(f"asyncio gather of {args.noop} no-op coroutines: {rate / 1e3:.0f} k/s")
    for n in (10_000, 100_000):
        print(f"asyncio {n} x 100 ms sleeps: {asyncio.run(timers(n)):.2f}x the ideal")
    rtps = asyncio.run(echo(args.echo_connections, args.echo_rounds))
    print(f"asyncio echo, {args.echo_connections} connections x {args.echo_rounds} rounds:"
          f" {rtps:.0f} round-trips/s")


if __name__ == "__main__":
    main()
