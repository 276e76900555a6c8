"""`python -m bench.fanout_floor`: the least a gevent process can spend writing one message to N sockets.

The server hands a fact to each socket's queue and each socket's writer greenlet sends it, as
python-engineio does under gevent. This measures only that skeleton: N local socket pairs, one queue
and one writer greenlet per socket, a 1 kB frame put on every queue, timed until every writer has sent.
(Readers drain the other ends in the same process, so the figure is an upper bound of the floor.)
It shows how much of the measured call -> socket time is the per-socket machinery that any
Python server of this shape pays, rather than PTSP's own code. See docs/benchmarks.md.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
from gevent.queue import JoinableQueue  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout_floor", description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    pairs = [socket.socketpair() for _ in range(args.sockets)]
    queues = [JoinableQueue() for _ in range(args.sockets)]
    sent = [0]

    def writer(i: int) -> None:
        queue, sock = queues[i], pairs[i][0]
        while True:
            frame = queue.get(timeout=60)  # engine.io's writer waits with a timeout too
            queue.task_done()
            if frame is None:
                return
            sock.sendall(frame)
            sent[0] += 1

    def reader(i: int) -> None:
        sock = pairs[i][1]
        while sock.recv(65536):
            pass

    greenlets = [gevent.spawn(writer, i) for i in range(args.sockets)]
    greenlets += [gevent.spawn(reader, i) for i in range(args.sockets)]
    gevent.sleep(0.1)
    frame = b"\x81\x7e\x03\xe8" + b"x" * 1000
    times = []
    for _ in range(args.rounds):
        sent[0] = 0
        start = time.perf_counter()
        for queue in queues:
            queue.put(frame)
        while sent[0] < args.sockets:
            gevent.sleep(0)
        times.append((time.perf_counter() - start) * 1000)
    gevent.killall(greenlets)
    for a, b in pairs:
        a.close()
        b.close()
    print(f"{args.sockets} sockets, {args.rounds} rounds: one message to every socket takes "
          f"median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, max {max(times):.1f} ms "
          f"({statistics.median(times) * 1000 / args.sockets:.1f} µs per socket)")


if __name__ == "__main__":
    main()
