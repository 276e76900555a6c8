"""The vendored socket.io client, in a real browser, against a real server."""

from __future__ import annotations


def test_vendored_socketio_client_connects_to_the_real_server_and_gets_a_snapshot(server, page_factory):
    page = page_factory()
    requests_seen: list[str] = []
    page.on("request", lambda request: requests_seen.append(request.url))
    # One of the server's own pages (its CSP allows this origin's scripts; a JSON answer's allows none).
    page.goto(f"{server.base}/counter/login")
    page.add_script_tag(url=f"{server.base}/static/vendor/socket.io.min.js")
    seq = page.evaluate(
        """token => new Promise((resolve, reject) => {
            const socket = io({auth: {token}, transports: ['websocket']});
            socket.on('snapshot', state => { socket.close(); resolve(state.seq); });
            socket.on('connect_error', reject);
        })""",
        server.display,
    )
    assert seq == 0
    assert all(url.startswith(server.base) for url in requests_seen), requests_seen
