"""What happened to the history's cases after the counter: departments' answers to referrals, complaints.

- Departments (dinas) belong to the office above the kelurahan, made by the real use case
  (`services.referrals.add_department`), so every kelurahan below may refer to them.
- A completed ticket with outcome `dirujuk` was referred while it was served (the `referred` ticket event,
  `{referral, department}`, as `services.referrals.refer` writes it). The department answers within its
  working hours: a few never answer, most acknowledge (`received`) after a lognormal delay of a median of
  five hours (so a share is late: over the 1x24 h rule, mostly over weekends), a tenth return the case
  (`returned`); then steps forward to `done`. Only steps before `now` happen, so recent referrals are still
  open. A returned case is referred again to another department now and then (a department bounce).
- A rating of 1 or 2 comes with a complaint now and then (as `services.feedback.rate` files it). The office's
  supervisor moves it through `verifying`, `handling` and `done` (with the answer) in working hours; a few
  are left untouched, some are answered after the 1x24 h deadline.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import complaints as complaint_rules
from ..domain import referrals as referral_rules
from ..models import Complaint, Department, Office, Rating, Referral, Staff
from ..services.referrals import add_department

DEPARTMENTS = (
    ("dinas-dukcapil", "Dinas Kependudukan dan Pencatatan Sipil", ("A", "D")),
    ("dinas-pmptsp", "Dinas Penanaman Modal dan PTSP", ("B",)),
    ("dinas-sosial", "Dinas Sosial", ("C", "E")),
)
CASE_NOTES = {
    "A": "Perubahan data KK perlu verifikasi data kependudukan",
    "B": "Izin usaha risiko menengah, perlu verifikasi teknis",
    "C": "SKTM untuk bantuan sosial, perlu pengecekan DTKS",
    "D": "Akta kelahiran terlambat lapor, perlu penetapan",
    "E": "Pengaduan warga diteruskan ke dinas terkait",
}
STEP_NOTES = {
    "received": "Berkas diterima", "verification": "Berkas sedang diverifikasi",
    "field_check": "Cek lapangan dijadwalkan", "in_progress": "Sedang diproses",
    "done": "Selesai, dokumen dapat diambil di kelurahan", "returned": "Bukan kewenangan kami, dikembalikan",
}
P_NEVER_ANSWERED, P_RETURNED, P_REFER_AGAIN = 0.07, 0.1, 0.6
STEP_CHANCE = (("verification", 0.7), ("field_check", 0.3), ("in_progress", 0.9))
COMPLAINT_TEXTS = (
    "Antrian terlalu lama, saya menunggu lebih dari satu jam.",
    "Loket kosong saat jam pelayanan, petugas tidak ada di tempat.",
    "Petugas kurang ramah dan tidak menjelaskan persyaratan.",
    "Saya disuruh bolak-balik ke loket lain tanpa kejelasan.",
    "Persyaratan berkas berbeda dengan informasi di papan pengumuman.",
    "Nomor antrian saya dilewati.",
)
COMPLAINT_ANSWER = "Terima kasih atas masukannya. Sudah kami tindak lanjuti dengan petugas terkait."
P_COMPLAINT, P_UNTOUCHED, P_STALLED = 0.35, 0.08, 0.12
OPENS, CLOSES = time(8, 0), time(16, 0)  # the working hours in which departments and supervisors act


def ensure_departments(session: Session, office: Office, now: datetime) -> dict[str, int]:
    """The demo departments under the office above `office` (made once); service prefix -> department id."""
    owner = office.parent or office
    by_prefix: dict[str, int] = {}
    for slug, name, prefixes in DEPARTMENTS:
        department = session.scalar(select(Department).where(Department.slug == slug))
        if department is None:
            department, _token = add_department(session, office=owner, slug=slug, name=name,
                                                now=now - timedelta(days=400))
        for prefix in prefixes:
            by_prefix[prefix] = department.id
    return by_prefix


def next_id(session: Session, model: Any) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


class Casework:
    """Draws the departments' and the supervisor's actions for one office's generated history."""

    def __init__(self, session: Session, office: Office, rng: np.random.Generator, now: datetime,
                 out: dict[str, list]) -> None:
        self.office, self.rng, self.now, self.out = office, rng, now, out
        self.zone = ZoneInfo(office.timezone)
        self.supervisor = session.scalar(select(Staff.id).where(
            Staff.office_id == office.id, Staff.role == "supervisor").order_by(Staff.id))
        self.departments = list(session.scalars(select(Department.id).order_by(Department.id)))
        self.referral_id = next_id(session, Referral)
        self.complaint_id = next_id(session, Complaint)

    def working(self, at: datetime) -> datetime:
        """The first moment from `at` inside working hours (weekdays 08:00-16:00 local), a little after opening
        when it had to move."""
        local = at.astimezone(self.zone)
        if local.weekday() < 5 and OPENS <= local.time() < CLOSES:
            return at
        day = local.date() + timedelta(days=0 if local.time() < OPENS else 1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = datetime.combine(day, OPENS, self.zone) + timedelta(minutes=float(self.rng.uniform(5, 90)))
        return start.astimezone(at.tzinfo)

    def after(self, at: datetime, median_hours: float, sigma: float) -> datetime:
        return self.working(at + timedelta(hours=float(self.rng.lognormal(np.log(median_hours), sigma))))

    # -- referrals --------------------------------------------------------------------------------------
    def referrals(self) -> None:
        for pending in self.out["referrals"]:
            ticket, event = pending["ticket"], pending["event"]
            returned = self.refer(ticket, pending["department"], pending["prefix"], event)
            if returned is not None and self.rng.random() < P_REFER_AGAIN:
                others = [d for d in self.departments if d != pending["department"]]
                again = self.working(returned + timedelta(hours=float(self.rng.uniform(1, 20))))
                if others and again < self.now:
                    department = others[int(self.rng.integers(len(others)))]
                    logged = {"ticket_id": ticket["id"], "office_id": self.office.id, "kind": "referred",
                              "at": again, "counter_id": ticket["counter_id"], "staff_id": event["staff_id"],
                              "device_id": None, "data": {"referral": None, "department": department}}
                    self.out["events"].append(logged)
                    self.refer(ticket, department, pending["prefix"], logged)

    def refer(self, ticket: dict, department: int, prefix: str, event: dict) -> datetime | None:
        """Write one referral and its progress; return when it was returned, if it was."""
        referral_id, self.referral_id = self.referral_id, self.referral_id + 1
        event["data"]["referral"] = referral_id
        at = event["at"]
        note = CASE_NOTES.get(prefix, CASE_NOTES["E"])
        steps = [(status, when) for status, when in self.progress(at) if when < self.now]
        status = steps[-1][0] if steps else referral_rules.REFERRED
        self.out["referral_rows"].append({
            "id": referral_id, "office_id": self.office.id, "department_id": department, "ticket_id": ticket["id"],
            "service_id": ticket["service_id"], "counter_id": event["counter_id"], "referred_by": event["staff_id"],
            "note": note, "status": status, "referred_at": at, "due_at": referral_rules.due_at(at),
            "responded_at": steps[0][1] if steps else None,
            "closed_at": steps[-1][1] if status in referral_rules.FINAL else None,
        })
        self.out["referral_events"].append({"referral_id": referral_id, "status": referral_rules.REFERRED, "at": at,
                                            "note": note, "staff_id": event["staff_id"], "department_id": None})
        for step, when in steps:
            self.out["referral_events"].append({"referral_id": referral_id, "status": step, "at": when,
                                                "note": STEP_NOTES[step], "staff_id": None,
                                                "department_id": department})
        return steps[-1][1] if status == referral_rules.RETURNED else None

    def progress(self, referred_at: datetime) -> list[tuple[str, datetime]]:
        if self.rng.random() < P_NEVER_ANSWERED:
            return []
        first = self.after(referred_at, 5.0, 1.0)
        if self.rng.random() < P_RETURNED:
            return [(referral_rules.RETURNED, first)]
        steps, at = [("received", first)], first
        for status, chance in STEP_CHANCE:
            if self.rng.random() < chance:
                at = self.after(at, 20.0, 0.8)
                steps.append((status, at))
        steps.append(("done", self.after(at, 30.0, 0.8)))
        return steps

    # -- complaints -------------------------------------------------------------------------------------
    def complaints(self, ratings: list[dict]) -> None:
        """File a complaint with some poor ratings, and move each along as the supervisor did."""
        for rating in ratings:
            if rating["quick"] > 2 or self.rng.random() >= P_COMPLAINT:
                continue
            complaint_id, self.complaint_id = self.complaint_id, self.complaint_id + 1
            received = rating["at"]
            text = COMPLAINT_TEXTS[int(self.rng.integers(len(COMPLAINT_TEXTS)))]
            moves = [(s, at) for s, at in self.handling(received) if at < self.now]
            status = moves[-1][0] if moves else "received"
            self.out["complaints"].append({
                "id": complaint_id, "office_id": self.office.id, "ticket_id": rating["ticket_id"],
                "rating_id": rating["id"], "service_id": rating["service_id"], "counter_id": rating["counter_id"],
                "staff_id": rating["staff_id"], "channel": rating["channel"], "text": text, "status": status,
                "received_at": received, "due_at": complaint_rules.due(received),
                "updated_at": moves[-1][1] if moves else received,
                "closed_at": moves[-1][1] if status == "done" else None,
            })
            self.out["complaint_events"].append({"complaint_id": complaint_id, "office_id": self.office.id,
                                                 "status": "received", "note": None, "staff_id": None,
                                                 "at": received})
            for move, at in moves:
                self.out["complaint_events"].append({
                    "complaint_id": complaint_id, "office_id": self.office.id, "status": move,
                    "note": COMPLAINT_ANSWER if move == "done" else None, "staff_id": self.supervisor, "at": at})

    def handling(self, received: datetime) -> list[tuple[str, datetime]]:
        if self.supervisor is None or self.rng.random() < P_UNTOUCHED:
            return []
        moves, at = [], received
        stop = int(self.rng.integers(1, 3)) if self.rng.random() < P_STALLED else 3
        for status, median in (("verifying", 3.0), ("handling", 1.0), ("done", 2.0))[:stop]:
            at = self.after(at, median, 0.7)
            moves.append((status, at))
        return moves


def ratings_with_ids(session: Session, ratings: list[dict]) -> None:
    """Give the generated ratings explicit ids, so complaints can name them."""
    first = next_id(session, Rating)
    for offset, rating in enumerate(ratings):
        rating["id"] = first + offset
