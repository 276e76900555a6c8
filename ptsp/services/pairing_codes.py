"""Pairing by a short code (docs/security.md, "Pairing by a code shown on the station").

An unpaired kiosk, display or rating tablet asks for a code (`request_code`): it gets a short code to show and
a long secret that stays in its browser as an HttpOnly cookie. An administrator types the code on the devices
page (`device_admin.pair_with_code`, which calls `claim` here). The station, polling with its secret
(`collect`), then receives its device and the page sets the usual device cookie. The code alone collects
nothing: a bystander who read it off the screen lacks the secret. Codes are single-use and expire.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from ..domain.errors import InvalidInput, InvalidTransition, NotFound
from ..models import Device, PairingCode

# No 0/O, 1/I/L, 5/S, 8/B: letters and digits read alike across a room or typed from a photo.
ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
CODE_LENGTH = 8  # 27**8 ≈ 2.8e11 codes, each valid for minutes and only where an administrator types it
STATION_KINDS = ("kiosk", "display", "tablet")  # the devices with pages (ptsp/device_auth.py)
TTL = timedelta(minutes=10)
KEEP = timedelta(days=1)  # finished or expired rows are deleted after this, when the next code is asked for


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalise(code: str) -> str:
    """A code as typed (lower case, spaces, a dash between the halves) in its stored form."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def shown(code: str) -> str:
    """The code as a station shows it: two halves, `ACDE-FG23`."""
    return f"{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class NewCode:
    code: str  # shown on the station
    secret: str  # kept by the station's browser (HttpOnly cookie); never shown
    expires_at: datetime


def request_code(session: Session, kind: str, now: datetime, previous_secret: str | None = None) -> NewCode:
    """Make a code for an unpaired station of `kind`; the station's previous unclaimed code stops working."""
    if kind not in STATION_KINDS:
        raise InvalidInput("unknown_device_kind", kind=kind, choices=STATION_KINDS)
    session.execute(delete(PairingCode).where(PairingCode.expires_at < now - KEEP))
    if previous_secret:
        session.execute(delete(PairingCode).where(PairingCode.secret_hash == _hash(previous_secret),
                                                  PairingCode.claimed_at.is_(None)))
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalar(select(PairingCode.id).where(PairingCode.code_hash == _hash(code))) is None:
            break
    secret = secrets.token_urlsafe(32)
    session.add(PairingCode(code_hash=_hash(code), secret_hash=_hash(secret), kind=kind, created_at=now,
                            expires_at=now + TTL))
    session.flush()
    return NewCode(code, secret, now + TTL)


def open_code(session: Session, code: str, now: datetime) -> PairingCode:
    """The unclaimed, unexpired code an administrator typed; a clear refusal for any other."""
    typed = normalise(code)
    if len(typed) != CODE_LENGTH or any(ch not in ALPHABET for ch in typed):
        raise InvalidInput("pairing_code_malformed", length=CODE_LENGTH)
    row = session.scalar(select(PairingCode).where(PairingCode.code_hash == _hash(typed)))
    if row is None:
        raise NotFound("pairing_code_unknown", code=shown(typed))
    if row.claimed_at is not None:
        raise InvalidTransition("pairing_code_used", code=shown(typed))
    if row.expires_at <= now:
        raise InvalidTransition("pairing_code_expired", code=shown(typed))
    return row


def claim(session: Session, row: PairingCode, device: Device, now: datetime) -> None:
    """Give the station behind `row` this device: it may collect it for `TTL` from now, once.

    One conditional UPDATE, so of two administrators typing the same code at once only one wins.
    """
    session.flush()
    result = cast("CursorResult[Any]", session.execute(
        update(PairingCode).where(PairingCode.id == row.id, PairingCode.claimed_at.is_(None))
        .values(claimed_at=now, device_id=device.id, expires_at=now + TTL)
        .execution_options(synchronize_session="fetch")))
    if result.rowcount != 1:
        raise InvalidTransition("pairing_code_used", code="")


def collect(session: Session, secret: str, now: datetime) -> Device | None:
    """The device waiting for the browser holding `secret`, once; None while no administrator entered the code.

    Raises NotFound for a secret no live code has (never asked, already collected, expired): the station asks
    for a new code.
    """
    row = session.scalar(select(PairingCode).where(
        PairingCode.secret_hash == _hash(secret), PairingCode.collected_at.is_(None),
        PairingCode.expires_at > now))
    if row is None:
        raise NotFound("pairing_code_gone")
    device = row.device
    if device is None:
        return None
    if device.revoked_at is not None:
        raise NotFound("pairing_code_gone")
    row.collected_at = now
    return device

