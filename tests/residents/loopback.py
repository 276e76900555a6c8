"""Loopback receivers for alerts: an HTTP server on 127.0.0.1 that records every request and answers with the
statuses it is told to; and the checks a real push service makes of a Web Push request (the VAPID JWT's ES256
signature over the public key it names, the aes128gcm body), plus the browser's side: decrypting the body."""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """Answers each POST with the next status of `statuses` (then the last one), recording it first."""

    statuses: list[int] = field(default_factory=lambda: [201])
    requests: list[Request] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> Recorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = recorder.statuses[min(len(recorder.requests) - 1, len(recorder.statuses) - 1)]
                self.send_response(status)
                if status in (301, 302, 307, 308):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """A browser's push subscription keys: its P-256 key pair and 16-byte auth secret."""

    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64(self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                       serialization.PublicFormat.UncompressedPoint))

    def subscription(self, endpoint: str) -> dict[str, Any]:
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": b64(self.auth)}}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


def verify_vapid(request: Request, audience: str) -> tuple[dict[str, Any], str]:
    """What a push service checks (RFC 8292): `Authorization: vapid t=<JWT>, k=<public key>`, the JWT signed with
    ES256 by the key named, for this push service (`aud`), not expired. Returns (claims, public key)."""
    scheme, _, params = request.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    token, public = fields["t"], fields["k"]
    head, claims, signature = token.split(".")
    assert json.loads(unb64(head)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64(signature)
    assert len(raw) == 64
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public))
    key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises InvalidSignature
    decoded = json.loads(unb64(claims))
    assert decoded["aud"] == audience
    return decoded, public


def aes128gcm_header(body: bytes) -> dict[str, Any]:
    """The aes128gcm content-coding header (RFC 8188): salt, record size, and the sender's public key as key id."""
    salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    return {"salt": salt, "rs": rs, "idlen": idlen, "keyid": body[21:21 + idlen]}
