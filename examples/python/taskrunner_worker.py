#!/usr/bin/env python3
"""A taskrunner worker written in Python, serving byte tasks (codec 'B').

It speaks the frame protocol of strategies/PROTOCOL.md, so a Java process pool can run it
in place of its JVM workers:

    try (TaskRunner pool = ProcessPool.builder()
            .workers(2)
            .workerCommand(List.of("python3", "examples/python/taskrunner_worker.py"))
            .codec(PayloadCodec.bytes())
            .build()) {
        byte[] out = pool.submit(BytesTask.of("upper", "hello".getBytes(UTF_8))).get();
    }

Operations: "upper" (ASCII upper case), "json.sum" (sum of a JSON array, as JSON),
"fail" (raises ValueError with the input as message), "echo.print" (prints the input to
stdout, which goes to the pool's log, not the protocol, and returns it).

Arguments (appended by the pool): <parent pid> <max frame bytes> <fd3|stdout>.
Standard library only; Python 3.8+.
"""

import json
import os
import struct
import sys
import threading
import time

MAGIC = 0x5452
VERSION = 2
HELLO, REQUEST, RESULT, FAILURE, CANCEL, CANCELLED, RETIRE = 1, 2, 3, 4, 5, 6, 7
HEADER = struct.Struct(">HBBqi")  # magic, version, type, id, length: 16 bytes, big-endian
CODEC_BYTES = ord("B")


def _fail(data):
    raise ValueError(data.decode("utf-8", "replace"))


def _echo_print(data):
    print(data.decode("utf-8", "replace"), flush=True)
    return data


OPERATIONS = {
    "upper": lambda data: data.upper(),
    "json.sum": lambda data: json.dumps(sum(json.loads(data))).encode(),
    "fail": _fail,
    "echo.print": _echo_print,
}


def read_exact(stream, n):
    """n bytes, or None at end of stream."""
    chunks = bytearray()
    while len(chunks) < n:
        chunk = stream.read(n - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def watch_parent(parent_pid):
    """Exit when the pool's process is gone, even if stdin somehow stays open."""
    while True:
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass
        time.sleep(0.25)


def main():
    parent_pid, max_frame, frames = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    if frames == "fd3":
        out = os.fdopen(3, "wb", buffering=0)  # fd 1 already points at stderr
    else:
        out = os.fdopen(os.dup(1), "wb", buffering=0)
        sys.stdout = sys.stderr  # keep print() off the protocol
    lock = threading.Lock()

    def send(frame_type, request_id, payload=b""):
        with lock:
            out.write(HEADER.pack(MAGIC, VERSION, frame_type, request_id, len(payload)) + payload)

    threading.Thread(target=watch_parent, args=(parent_pid,), daemon=True).start()
    send(HELLO, 0, struct.pack(">q", os.getpid()) + b"taskrunner python worker")

    stdin = sys.stdin.buffer
    while True:
        header = read_exact(stdin, HEADER.size)
        if header is None:
            os._exit(0)  # the pool closed stdin, or died
        magic, version, frame_type, request_id, length = HEADER.unpack(header)
        if magic != MAGIC or version != VERSION or not 0 <= length <= max_frame:
            print("taskrunner python worker: protocol error, header %r" % header, file=sys.stderr)
            sys.stderr.flush()
            os._exit(2)
        payload = read_exact(stdin, length) if length else b""
        if payload is None:
            os._exit(0)
        if frame_type == CANCEL:
            continue  # requests run to completion before the next frame is read: already answered
        if frame_type != REQUEST:
            print("taskrunner python worker: unexpected frame type %d" % frame_type, file=sys.stderr)
            sys.stderr.flush()
            os._exit(2)
        try:
            if not payload or payload[0] != CODEC_BYTES:
                raise ValueError("unsupported codec %r: this worker serves 'B'" % payload[:1])
            (name_length,) = struct.unpack(">H", payload[1:3])
            operation = payload[3 : 3 + name_length].decode("utf-8")
            data = payload[3 + name_length :]
            if operation not in OPERATIONS:
                raise KeyError("unknown operation %r" % operation)
            send(RESULT, request_id, bytes([CODEC_BYTES]) + OPERATIONS[operation](data))
        except Exception as error:  # one request failed: report it, keep serving
            message = "%s: %s" % (type(error).__name__, error)
            send(FAILURE, request_id, bytes([CODEC_BYTES]) + message.encode("utf-8"))


if __name__ == "__main__":
    main()
