"""Staff accounts and device tokens."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.errors import InvalidInput, NotFound
from ..models import Device, Office, Staff
from .actors import DEVICE_KINDS, ROLES

# Werkzeug's method string for new password hashes. Production keeps scrypt; the test suite sets a cheap
# method (PTSP_PASSWORD_HASH_METHOD) because it hashes thousands of passwords. Checking reads the method
# stored in each hash, so accounts hashed either way keep working.
DEFAULT_PASSWORD_HASH_METHOD = "scrypt"
HASH_METHOD_KEY = "password_hash_method"


# Usernames, the same everywhere (set-up file, `ptsp init`, the admin pages): 3-64 of a-z 0-9 _ . -
USERNAME = re.compile(r"[a-z0-9_.-]{3,64}")

def hash_token(token: str) -> str:
    """Hash a device token for storage; the token itself is shown once and never kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def password_hash_method(session: Session) -> str:
    """Return the method the app put in the session's info (`PASSWORD_HASH_METHOD`), or scrypt."""
    return session.info.get(HASH_METHOD_KEY) or DEFAULT_PASSWORD_HASH_METHOD


def add_staff(
    session: Session,
    *,
    username: str,
    name: str,
    password: str,
    role: str,
    office: Office | None,
    supervisor: Staff | None = None,
) -> Staff:
    """Create a staff account with a hashed password."""
    if role not in ROLES:
        raise InvalidInput("unknown_role", role=role, choices=ROLES)
    if len(password) < 8:
        raise InvalidInput("password_too_short", min=8)
    if session.scalar(select(Staff.id).where(Staff.username == username)):
        raise InvalidInput("username_taken", username=username)
    staff = Staff(
        username=username, name=name, role=role, office=office, supervisor=supervisor,
        password_hash=generate_password_hash(password, method=password_hash_method(session)),
    )
    session.add(staff)
    return staff


@functools.cache
def dummy_hash(method: str) -> str:
    """A hash of a random password made with `method`, checked when the username is unknown."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def authenticate(session: Session, username: str, password: str) -> Staff | None:
    """Return the active staff member with these credentials, or None.

    An unknown or inactive username costs the same work as a wrong password: the password is checked
    against a dummy hash made with the method real hashes use, so the answer's timing tells nothing.
    """
    staff = session.scalar(select(Staff).where(Staff.username == username))
    usable = staff is not None and staff.active
    stored = staff.password_hash if usable and staff is not None else dummy_hash(password_hash_method(session))
    if not check_password_hash(stored, password) or not usable:
        return None
    return staff


def supervisors_of(staff: Staff, levels: int = 2) -> list[Staff]:
    """Return the supervisor chain above a staff member, nearest first."""
    chain: list[Staff] = []
    current = staff.supervisor
    while current is not None and len(chain) < levels and current not in chain:
        chain.append(current)
        current = current.supervisor
    return chain


def make_device_token(session: Session, *, office: Office, kind: str, name: str, now: datetime) -> tuple[Device, str]:
    """Create a device and return it with its bearer token (shown only now)."""
    if kind not in DEVICE_KINDS:
        raise InvalidInput("unknown_device_kind", kind=kind, choices=DEVICE_KINDS)
    refuse_duplicate_device_name(session, office.id, name)
    token = f"ptsp_{kind}_{secrets.token_urlsafe(24)}"
    device = Device(office=office, kind=kind, name=name, token_hash=hash_token(token), created_at=now)
    session.add(device)
    return device, token


def refuse_duplicate_device_name(session: Session, office_id: int, name: str, except_id: int | None = None) -> None:
    """Refuse a name that an unrevoked device of the office already has (of any kind; case and spaces folded).

    `ptsp printer set` and people find a device by its name; two with one name made the newest win silently.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("device_name_invalid")
    taken = session.scalars(select(Device).where(Device.office_id == office_id, Device.revoked_at.is_(None)))
    for device in taken:
        if device.id != except_id and " ".join(device.name.split()).casefold() == " ".join(name.split()).casefold():
            raise InvalidInput("device_name_taken", name=name, id=device.id)


def device_by_name(session: Session, office_id: int, kind: str, name: str) -> Device:
    """The one unrevoked device of `kind` named `name` in the office; refuse an unknown or ambiguous name."""
    found = list(session.scalars(select(Device).where(
        Device.office_id == office_id, Device.kind == kind, Device.name == name,
        Device.revoked_at.is_(None)).order_by(Device.id)))
    if not found:
        raise NotFound("device_name_unknown", kind=kind, name=name)
    if len(found) > 1:
        raise InvalidInput("device_name_ambiguous", name=name, count=len(found), ids=[d.id for d in found])
    return found[0]


_DEVICE_BY_HASH = select(Device).where(Device.token_hash == bindparam("token_hash"))  # every kiosk request: built once


def device_for_token(session: Session, token: str) -> Device | None:
    """Return the unrevoked device holding `token`, or None."""
    device = session.scalar(_DEVICE_BY_HASH, {"token_hash": hash_token(token)})
    return device if device is not None and device.revoked_at is None else None
