"""Hold many Socket.IO connections open cheaply (gevent greenlets, raw Engine.IO frames, no JSON parsing).

Reads a JSON list of auth objects on stdin's first line, connects one websocket per auth, prints
"ready", and holds them, answering pings, until stdin closes. Used by bench/latency.py so that the
benchmark's own clients do not compete with the server for the CPU more than real displays would.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
import websocket  # noqa: E402


def hold(url: str, auth: dict[str, str], connected: list[int]) -> None:
    """Open one Socket.IO connection with `auth` and keep it alive."""
    ws = websocket.create_connection(url, timeout=30)
    ws.recv()  # Engine.IO open packet
    ws.send("40" + json.dumps(auth))
    message = ws.recv()
    while not message.startswith(("40", "44")):  # the snapshot may come before the connect answer
        message = ws.recv()
    if message.startswith("44"):
        raise SystemExit(f"connection refused: {message[:200]}")
    connected.append(1)
    ws.settimeout(None)
    while True:
        message = ws.recv()
        if message == "2":
            ws.send("3")


def main() -> None:
    base = sys.argv[1].replace("http://", "ws://")
    auths = json.loads(sys.stdin.readline())
    connected: list[int] = []
    url = f"{base}/socket.io/?EIO=4&transport=websocket"
    greenlets = [gevent.spawn(hold, url, auth, connected) for auth in auths]
    while len(connected) < len(auths):
        failed = [g for g in greenlets if g.dead]
        if failed:
            raise SystemExit(f"{len(failed)} connections failed: {failed[0].exception}")
        gevent.sleep(0.05)
    print("ready", flush=True)
    gevent.get_hub().threadpool.spawn(sys.stdin.read).get()


if __name__ == "__main__":
    main()
