"""The first start of a real office (`ptsp init`): a fresh database, its office and an admin account.

A database that already holds anything, and above all the demo (whose logins and passwords are published in
the README), is refused unless the caller says so explicitly: a real office must not start next to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from ..domain.errors import InvalidInput
from ..models import Office, Staff, Ticket
from .accounts import USERNAME, add_staff
from .setup import load_setup

# The zones an office can be in, by the name every Indonesian uses, and the tz database's name.
ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


@dataclass(frozen=True)
class Contents:
    """What a database holds before `ptsp init` touches it."""

    offices: tuple[str, ...] = ()  # slugs
    staff: int = 0
    tickets: int = 0

    @property
    def empty(self) -> bool:
        return not (self.offices or self.staff or self.tickets)


def contents(engine: Engine) -> Contents:
    """Read what the database holds without changing it (no table yet: empty)."""
    if not inspect(engine).has_table("offices"):
        return Contents()
    with Session(engine) as session:
        slugs = tuple(session.scalars(select(Office.slug).order_by(Office.slug)))
        staff = session.scalar(select(func.count()).select_from(Staff)) or 0
        tickets = session.scalar(select(func.count()).select_from(Ticket)) or 0
    return Contents(slugs, staff, tickets)


def zone_name(zone: str) -> str:
    """WIB, WITA or WIT (or the tz name itself) as the tz database's name; anything else is refused."""
    key = zone.strip()
    if key.upper() in ZONES:
        return ZONES[key.upper()]
    if key in ZONES.values():
        return key
    raise InvalidInput("unknown_timezone", timezone=zone)


def create_office_and_admin(session: Session, *, slug: str, name: str, kind: str, timezone: str,
                            username: str, admin_name: str, password: str) -> tuple[Office, Staff]:
    """Create the office (validated as a set-up file's office is) and its admin account, in one transaction."""
    load_setup(session, {"offices": [{"slug": slug, "name": name, "kind": kind, "timezone": zone_name(timezone)}]})
    office = session.scalars(select(Office).where(Office.slug == slug)).one()
    if not USERNAME.fullmatch(username):
        raise InvalidInput("username_invalid", username=username)
    admin = add_staff(session, username=username, name=admin_name, password=password, role="admin", office=office)
    session.flush()
    return office, admin
