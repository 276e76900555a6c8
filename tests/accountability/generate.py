"""A few weeks of plausible history for several offices, for the browser test and the screenshots.

Random but seeded: arrivals, waits, service times, some transfers (a few bounce back), late openings,
long breaks, referrals answered fast or late. Written straight to the tables, then the discipline scan runs.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ptsp.domain.codes import format_code
from ptsp.domain.hours import dump_week, hours_on, parse_week
from ptsp.domain.referrals import STEPS
from ptsp.models import Counter, CounterSession, Office, Referral, ReferralEvent, Service, Staff, Ticket, TicketEvent
from ptsp.services.accounts import add_staff
from ptsp.services.discipline import scan
from ptsp.services.referrals import add_department
from ptsp.services.setup import load_setup

WEEKDAYS = {d: [["08:00", "12:00"], ["13:00", "16:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
# Offices differ in opening hours, so their exposures (and funnel widths) differ too.
HOURS = {"kel-sepi": {d: [["08:00", "12:00"]] for d in ("mon", "tue", "wed", "thu")},
         "kel-sedang": {d: [["08:00", "12:00"], ["13:00", "15:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}
EXTRA = [("kel-ramai", "Kelurahan Ramai", 11.0), ("kel-sedang", "Kelurahan Sedang", 6.0),
         ("kel-sepi", "Kelurahan Sepi", 1.6)]
RATES = {"kel-test": 7.0, "kel-lain": 5.0}


def _extra_offices(session: Session) -> None:
    offices = []
    for slug, name, _rate in EXTRA:
        offices.append({
            "slug": slug, "name": name, "kind": "kelurahan", "parent": "kec-test", "hours": WEEKDAYS,
            "services": [{"prefix": "A", "name_id": "KTP", "name_en": "ID card", "standard_minutes": 10},
                         {"prefix": "B", "name_id": "Perizinan", "name_en": "Licensing", "standard_minutes": 20}],
            "counters": [{"number": 1, "services": ["A", "B"]}, {"number": 2, "services": ["A", "B"]}],
            "staff": [{"username": f"{slug}-a", "name": f"Petugas {name.split()[-1]} 1", "role": "clerk",
                       "password": "password-x", "supervisor": "sup"},
                      {"username": f"{slug}-b", "name": f"Petugas {name.split()[-1]} 2", "role": "clerk",
                       "password": "password-x", "supervisor": "sup"}],
        })
    load_setup(session, {"offices": offices})


def generate(session: Session, days: list[date], seed: int = 7) -> dict[str, str]:
    """Fill the test offices (and three more under the kecamatan) with history; return department tokens."""
    rng = random.Random(seed)
    _extra_offices(session)
    kec = session.scalar(select(Office).where(Office.slug == "kec-test"))
    tokens = {}
    departments = []
    for slug, name in (("dukcapil", "Dinas Dukcapil"), ("dpmptsp", "DPMPTSP"), ("dinsos", "Dinas Sosial")):
        dept, tokens[slug] = add_department(session, office=kec, slug=slug, name=name,
                                            now=datetime.combine(days[0], time(0), ZoneInfo("Asia/Jakarta")))
        departments.append(dept)
    lain = session.scalar(select(Office).where(Office.slug == "kel-lain"))
    if not session.scalar(select(Staff).where(Staff.username == "other-b")):
        add_staff(session, username="other-b", name="Petugas Lain 2", password="password-o", role="clerk", office=lain)
    rates = {**RATES, **{slug: rate for slug, _n, rate in EXTRA}}
    for slug, rate in rates.items():
        office = session.scalar(select(Office).where(Office.slug == slug))
        office.hours = dump_week(parse_week(HOURS.get(slug, WEEKDAYS)))
        session.flush()
        for day in days:
            if office.hours[("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]]:
                _day(session, rng, office, day, rate, departments)
        session.commit()
    return tokens


def _day(session: Session, rng: random.Random, office: Office, day: date, rate: float, departments: list) -> None:
    tz = ZoneInfo(office.timezone)
    at = lambda h, m=0.0: datetime.combine(day, time(0), tz) + timedelta(hours=h, minutes=m)  # noqa: E731
    services = session.scalars(select(Service).where(Service.office_id == office.id).order_by(Service.prefix)).all()
    counters = session.scalars(select(Counter).where(Counter.office_id == office.id).order_by(Counter.number)).all()
    clerks = session.scalars(select(Staff).where(Staff.office_id == office.id, Staff.role == "clerk")
                             .order_by(Staff.id)).all()
    pairs = list(zip(counters[:2], clerks[:2], strict=False))
    spans = hours_on(parse_week(office.hours), day, office.timezone, 0).intervals
    for counter, clerk in pairs:
        opened = at(7, rng.choice([40, 45, 50, 55, 62, 75]))
        stretches = [("open", opened, at(12))]
        if rng.random() < 0.3:
            pause = at(10, rng.randint(0, 30))
            stretches = [("open", opened, pause), ("break", pause, pause + timedelta(minutes=rng.choice([20, 45, 80]))),
                         ("open", pause + timedelta(minutes=80), at(12))]
        if len(spans) > 1:
            stretches += [("open", spans[1][0] + timedelta(minutes=rng.choice([0, 2, 10])), spans[1][1])]
        for state, start, end in stretches:
            if end > start:
                session.add(CounterSession(counter_id=counter.id, office_id=office.id, staff_id=clerk.id, state=state,
                                           started_at=start, ended_at=end))
    numbers: dict[int, int] = {}
    minute = 0.0
    while True:
        minute += rng.expovariate(rate / 60)
        if minute > 7.5 * 60:
            break
        issued = at(8, minute)
        if not any(a <= issued < b - timedelta(minutes=30) for a, b in spans):
            continue
        service = rng.choice(services)
        numbers[service.id] = numbers.get(service.id, 0) + 1
        counter, clerk = rng.choice(pairs)
        ticket = Ticket(office_id=office.id, service_id=service.id, issued_service_id=service.id, service_day=day,
                        number=numbers[service.id], code=format_code(service.prefix, numbers[service.id]),
                        status="done", issued_at=issued, queued_at=issued, public_token=secrets.token_urlsafe(12),
                        counter_id=counter.id, clerk_id=clerk.id)
        session.add(ticket)
        session.flush()
        events = [("issued", issued, None, {})]
        t = issued + timedelta(minutes=rng.uniform(1, 9))
        other = [s for s in services if s.id != service.id]
        if other and rng.random() < 0.08:
            events += [("called", t, counter.id, {}), ("transferred", t + timedelta(minutes=3), counter.id,
                                                     {"from_service": service.id, "to_service": other[0].id})]
            t += timedelta(minutes=rng.uniform(4, 12))
            ticket.service_id = other[0].id
            if rng.random() < 0.4:
                events += [("called", t, counter.id, {}), ("transferred", t + timedelta(minutes=2), counter.id,
                                                         {"from_service": other[0].id, "to_service": service.id})]
                t += timedelta(minutes=rng.uniform(4, 10))
                ticket.service_id = service.id
        minutes = max(2.0, rng.gauss(service.standard_minutes * 0.8, 3))
        ticket.called_at, ticket.started_at = t, t + timedelta(minutes=1)
        ticket.finished_at = ticket.started_at + timedelta(minutes=minutes)
        events += [("called", t, counter.id, {}), ("started", ticket.started_at, counter.id, {}),
                   ("completed", ticket.finished_at, counter.id, {"outcome": "selesai"})]
        ticket.call_count = sum(1 for kind, *_rest in events if kind == "called")
        for kind, when, counter_id, data in events:
            session.add(TicketEvent(ticket_id=ticket.id, office_id=office.id, kind=kind, at=when,
                                    counter_id=counter_id, staff_id=clerk.id if counter_id else None, data=data))
        if rng.random() < 0.05:
            _referral(session, rng, ticket, clerk, rng.choice(departments))
    session.flush()
    scan(session, office_id=office.id, day=day, now=at(23, 59))


def _referral(session: Session, rng: random.Random, ticket: Ticket, clerk: Staff, department) -> None:
    when = ticket.finished_at
    slow = {"dukcapil": 10, "dpmptsp": 30, "dinsos": 45}[department.slug]
    referral = Referral(office_id=ticket.office_id, department_id=department.id, ticket_id=ticket.id,
                        service_id=ticket.service_id, counter_id=ticket.counter_id, referred_by=clerk.id,
                        note=rng.choice(["NIK ganda, perlu verifikasi", "Cek lokasi usaha", "Bantuan sosial: cek data",
                                         "Perbaikan data KK"]), status="referred", referred_at=when,
                        due_at=when + timedelta(hours=department.response_hours))
    session.add(referral)
    session.flush()
    session.add(ReferralEvent(referral_id=referral.id, status="referred", at=when, staff_id=clerk.id))
    reply = when + timedelta(hours=rng.uniform(0.5, slow))
    steps = ["returned"] if rng.random() < 0.08 else list(STEPS[: rng.randint(1, len(STEPS))])
    for step in steps:
        session.add(ReferralEvent(referral_id=referral.id, status=step, at=reply, department_id=department.id))
        referral.status = step
        referral.responded_at = referral.responded_at or reply
        reply += timedelta(hours=rng.uniform(2, 30))
    if referral.status in ("done", "returned"):
        referral.closed_at = reply
