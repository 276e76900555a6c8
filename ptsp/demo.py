"""The demo office: a kelurahan PTSP under a kecamatan, ready to try in a minute."""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .demo_history import HistoryStats, generate_history
from .domain.hours import WEEKDAYS, parse_week, service_day
from .migrate import upgrade
from .models import Department, Device, Office, TicketPrinter
from .services.accounts import make_device_token
from .services.discipline import scan
from .services.discipline_notices import ensure_notices
from .services.points import append_missing
from .services.printing import set_printer
from .services.referrals import renew_token
from .services.setup import load_setup

DEMO_FILE = Path(__file__).with_name("demo_office.toml")
ALL_DAY = [["00:00", "23:59"]]


@dataclass
class DemoInfo:
    office_id: int
    office_name: str
    tokens: dict[str, str]
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def describe(self, base: str) -> str:
        """Return the text printed after start-up: URLs, logins and device tokens."""
        lines = [
            f"PTSP demo: {self.office_name} (office id {self.office_id})",
            "",
            "URLs:",
            f"  Start page (every office's stations): {base}/",
            f"  Counter screen (log in as a clerk): {base}/counter/login",
            f"  Lobby display (TV, 1920x1080): {base}/display/#token={self.tokens['display']}",
            f"  Manager dashboard (log in as camat or lurah): {base}/manager/dashboard",
            f"  Kiosk (touch screen): {base}/kiosk/#token={self.tokens['kiosk']}",
            f"  Printed tickets (preview printer, in the kiosk's browser): {base}/kiosk/preview",
            "  (A #token= address pairs that browser once; the token never reaches a server log.)",
            f"  API description (OpenAPI): {base}/api/v1/openapi.json",
            f"  Live queue (needs a login or token): {base}/api/v1/offices/{self.office_id}/queue",
            "",
            "Logins (username / password / role):",
            *[f"  {u:8} {p:16} {r}" for u, p, r in self.logins],
            "",
            "Device tokens (new each start):",
            *[f"  {kind:8} {token}" for kind, token in self.tokens.items()],
            "",
            "Try it:",
            f"  curl -s -X POST {base}/api/v1/tickets -H 'Authorization: Bearer {self.tokens['kiosk']}' "
            f"-H 'Content-Type: application/json' -d '{{\"office\": {self.office_id}, \"service\": 1}}'",
        ]
        return "\n".join(lines)


def add_history(app: Flask, days: int, seed: int = 1) -> list[tuple[str, HistoryStats, float]]:
    """Write `days` days of history before today for every demo office that has services.

    Returns (office name, figures, seconds taken) per office; see `office_history`.
    """
    now = datetime.now(UTC)
    with app.app_context():
        session = app.extensions["ptsp.sessions"]()
        try:
            return office_histories(session, days, seed, now)
        finally:
            session.close()


def office_histories(session: Session, days: int, seed: int, now: datetime) -> list[tuple[str, HistoryStats, float]]:
    """The demo file's offices with services get `days` days of history before `now`'s day, committed office by office.

    The history follows each office's real hours from the demo file (not the all-day demo hours).
    The clerks' points for it go into the ledger by the same rules as live work, and the discipline scan
    judges each day by those real hours too (the office's hours are set back afterwards, so the running
    demo may still open all day).
    """
    data = tomllib.loads(DEMO_FILE.read_text())
    results = []
    for spec in data["offices"]:
        office = session.scalar(select(Office).where(Office.slug == spec["slug"]))
        if office is None or not spec.get("services") or not spec.get("hours"):
            continue
        started = time.perf_counter()
        today = service_day(now, office.timezone)
        stats = generate_history(session, office, parse_week(spec["hours"]), days=days, today=today,
                                 seed=seed, now=now)
        session.commit()
        stats.points_lines = append_missing(session, office.id)
        session.commit()
        stats.violations = _scan(session, office, spec["hours"], today, days, now)
        session.commit()
        results.append((office.name, stats, time.perf_counter() - started))
    return results


NOTICE_DAYS = 7  # the history's last days whose violations reach the superiors' inboxes


def _scan(session: Session, office: Office, real_hours: dict, today: date, days: int, now: datetime) -> int:
    """Scan discipline over the history's days by the hours it was generated on, then restore the office's hours.

    The last `NOTICE_DAYS` days' violations are also brought to the two superiors, as the live scan does, so the
    inbox and the counter's own list have content at first start without hundreds of old notices.
    """
    kept, office.hours = office.hours, real_hours
    try:
        found = 0
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            found += scan(session, office_id=office.id, day=day, now=now).found
            if back <= NOTICE_DAYS:
                ensure_notices(session, office_id=office.id, day=day, now=now)
        return found
    finally:
        office.hours = kept


def department_links(app: Flask, base: str) -> list[str]:
    """A fresh desk link per department (tokens are stored hashed, so each start replaces them)."""
    with app.app_context():
        session = app.extensions["ptsp.sessions"]()
        try:
            lines = [f"  {d.name}: {base}/manager/dinas#token={renew_token(session, d)}"
                     for d in session.scalars(select(Department).order_by(Department.name))]
            session.commit()
            return lines
        finally:
            session.close()


def prepare_demo(app: Flask, realistic_hours: bool = False) -> DemoInfo:
    """Migrate, load the demo office, open it all day unless asked not to, and mint device tokens."""
    upgrade(app.extensions["ptsp.engine"])
    data = tomllib.loads(DEMO_FILE.read_text())
    now = datetime.now(UTC)
    with app.app_context():
        session = app.extensions["ptsp.sessions"]()
        try:
            load_setup(session, data)
            office = session.scalar(select(Office).where(Office.slug == "kel-pegangsaan"))
            if not realistic_hours:
                # A visitor may try the demo at night or on Sunday; a real office loads its own hours.
                office.hours = {day: ALL_DAY for day in WEEKDAYS}
                office.closures = {}  # no gaps left to close
            session.execute(
                update(Device).where(Device.office_id == office.id, Device.revoked_at.is_(None)).values(revoked_at=now)
            )
            devices = {
                kind: make_device_token(session, office=office, kind=kind, name=f"demo {kind}", now=now)
                for kind in ("kiosk", "display", "agent")
            }
            tokens = {kind: token for kind, (_device, token) in devices.items()}
            session.flush()
            # The demo's one printer follows the new kiosk token, so restarts do not pile up printers.
            kept = session.scalar(select(TicketPrinter).where(TicketPrinter.office_id == office.id))
            if kept is not None:
                kept.device_id = devices["kiosk"][0].id
            set_printer(session, kiosk=devices["kiosk"][0], name="Kios demo (pratinjau)", setting="preview",
                        agent=None, width_chars=48)
            session.commit()
            logins = [
                (s["username"], s["password"], s["role"])
                for o in data["offices"]
                for s in o.get("staff", [])
            ]
            return DemoInfo(office.id, office.name, tokens, logins)
        finally:
            session.close()
