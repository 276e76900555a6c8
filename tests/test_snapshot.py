"""The snapshot a (re)connecting display or counter screen starts from."""

from __future__ import annotations

from sqlalchemy import select

from ptsp.models import Counter, Office, Service
from ptsp.services import counters, tickets
from ptsp.services.accounts import add_staff
from ptsp.services.actors import Actor
from ptsp.services.setup import load_setup
from ptsp.services.snapshot import office_snapshot
from tests.conftest import ALL_DAY, MONDAY_9_WIB

COUNTERS = 15


def test_a_counter_called_more_than_ten_calls_ago_is_still_shown_busy_with_its_ticket(app):
    session = app.extensions["ptsp.sessions"]()
    load_setup(session, {"offices": [{
        "slug": "mpp-lima-belas", "name": "MPP Lima Belas", "kind": "mpp", "hours": ALL_DAY,
        "last_ticket_minutes": 0,
        "services": [{"prefix": "A", "name_id": "KTP", "name_en": "ID card", "standard_minutes": 5}],
        "counters": [{"number": n, "services": ["A"]} for n in range(1, COUNTERS + 1)],
    }]})
    office = session.scalar(select(Office).where(Office.slug == "mpp-lima-belas"))
    service_id = session.scalar(select(Service.id).where(Service.office_id == office.id))
    clerks: dict[int, tuple[int, Actor]] = {}
    for counter in session.scalars(select(Counter).where(Counter.office_id == office.id)):
        staff = add_staff(session, username=f"loket{counter.number}", name=f"Loket {counter.number}",
                          password="password-x", role="clerk", office=office)
        session.flush()
        actor = Actor("staff", staff.id, "clerk", office.id)
        counters.open_counter(session, counter_id=counter.id, actor=actor, now=MONDAY_9_WIB)
        clerks[counter.number] = (counter.id, actor)
    kiosk = Actor("device", None, "kiosk", office.id)
    for _ in range(13):
        tickets.issue(session, office_id=office.id, service_id=service_id, priority="regular",
                      actor=kiosk, now=MONDAY_9_WIB)
    first = tickets.call_next(session, counter_id=clerks[1][0], actor=clerks[1][1], now=MONDAY_9_WIB)
    for number in range(2, 14):
        counter_id, actor = clerks[number]
        tickets.call_next(session, counter_id=counter_id, actor=actor, now=MONDAY_9_WIB)
    session.commit()
    session.close()

    with app.extensions["ptsp.read_sessions"]() as reader:
        snapshot = office_snapshot(reader, office.id, MONDAY_9_WIB)

    shown = {c["number"]: c for c in snapshot["counters"]}
    assert shown[1]["current"] is not None, "counter 1 is serving a ticket, not free"
    assert shown[1]["current"]["code"] == first.code
    assert all(shown[n]["current"] is not None for n in range(1, 14))
    assert all(shown[n]["current"] is None for n in range(14, COUNTERS + 1))
    assert len(snapshot["recent_calls"]) == 10
