"""A walk-in ticket from a phone at /ambil/<office>: the kiosk's rules, one live ticket per phone and service,
rate limits, and the mark that tells it apart (docs/residents.md)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from ptsp.models import Ticket, TicketEvent
from ptsp.services.actors import SYSTEM
from ptsp.services.office_calendar import add_closure
from ptsp.services.phone_tickets import device_key

PAGE = "/ambil/kel-test"


def tickets(app) -> list[Ticket]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return list(session.scalars(select(Ticket).order_by(Ticket.id)))


def csrf(client) -> str:
    page = client.get(PAGE).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def take(client, service_id: int) -> object:
    return client.post(PAGE, data={"csrf_token": csrf(client), "service": str(service_id)})


def test_a_phone_takes_a_ticket_and_lands_on_its_status_page(residents):
    client, world = residents.client, residents.world
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ambil nomor" in html and "Perizinan" in html and 'data-state="open"' in html
    cookie = client.get_cookie("ptsp_phone", path="/ambil")
    assert cookie is not None and cookie.http_only
    answer = take(client, world.services["A"])
    assert answer.status_code == 303
    [ticket] = tickets(residents.app)
    assert answer.headers["Location"] == f"/t/{ticket.public_token}"
    assert (ticket.source, ticket.phone_device, ticket.issued_by, ticket.device_id, ticket.walk_in) == \
        ("phone", device_key(cookie.value), None, None, False)
    with residents.app.extensions["ptsp.read_sessions"]() as session:
        event = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
        assert (event.kind, event.staff_id, event.device_id, event.data["source"]) == ("issued", None, None, "phone")
    assert client.get(answer.headers["Location"]).status_code == 200
    assert ticket.code in client.get(PAGE).get_data(as_text=True)  # "Nomor Anda hari ini" links back to it


def test_one_live_ticket_per_phone_and_service(residents):
    client, world = residents.client, residents.world
    assert take(client, world.services["A"]).status_code == 303
    again = take(client, world.services["A"])
    assert again.status_code == 409
    assert "sudah memegang nomor A-001" in again.get_data(as_text=True)
    assert take(client, world.services["C"]).status_code == 303  # another service is another line
    assert [t.code for t in tickets(residents.app)] == ["A-001", "C-001"]
    other_phone = residents.app.test_client()
    assert take(other_phone, world.services["A"]).status_code == 303
    counter = residents.clerk(1)
    called = residents.call_next(counter)
    residents.finish(called["id"])  # A-001 is done: this phone may take the next A ticket
    assert take(client, world.services["A"]).status_code == 303


def test_the_kiosk_quota_holds_for_phones(residents):
    for _ in range(5):
        residents.issue("B")
    refused = take(residents.client, residents.world.services["B"])
    assert refused.status_code == 409
    assert "Kuota" in refused.get_data(as_text=True) or "kuota" in refused.get_data(as_text=True)
    assert len(tickets(residents.app)) == 5
    assert "Kuota habis" in residents.client.get(PAGE).get_data(as_text=True)


def test_no_ticket_after_the_last_ticket_time_or_before_opening(residents, clock):
    clock.advance(hours=6, minutes=45)  # Monday 15:45 WIB: closes 16:00, last ticket 15:30
    page = residents.client.get(PAGE).get_data(as_text=True)
    assert 'data-state="cutoff"' in page and "15:30" in page
    assert take(residents.client, residents.world.services["A"]).status_code == 409
    clock.advance(hours=1)  # closed
    assert 'data-state="closed"' in residents.client.get(PAGE).get_data(as_text=True)
    assert take(residents.client, residents.world.services["A"]).status_code == 409
    assert tickets(residents.app) == []


def test_no_ticket_on_a_closed_day_of_the_office(residents, clock):
    with residents.app.extensions["ptsp.sessions"]() as session:
        add_closure(session, SYSTEM, office_id=residents.world.office, day=date(2026, 11, 23),
                    reason="Rapat kerja", now=clock())
        session.commit()
    page = residents.client.get(PAGE).get_data(as_text=True)
    assert 'data-state="closed"' in page and "Rapat kerja" in page
    refused = take(residents.client, residents.world.services["A"])
    assert refused.status_code == 409 and "Rapat kerja" in refused.get_data(as_text=True)
    assert tickets(residents.app) == []


def test_an_inactive_service_is_not_listed_and_is_refused(residents):
    from ptsp.models import Service

    with residents.app.extensions["ptsp.sessions"]() as session:
        session.get(Service, residents.world.services["C"]).active = False
        session.commit()
    assert "Surat" not in residents.client.get(PAGE).get_data(as_text=True)
    assert take(residents.client, residents.world.services["C"]).status_code == 409
    assert tickets(residents.app) == []


def test_an_office_without_phone_tickets_and_an_unknown_office_answer_404(residents):
    residents.office(phone_tickets=False)
    assert residents.client.get(PAGE).status_code == 404
    assert residents.client.post(PAGE, data={"service": "1"}).status_code in (403, 404)
    assert residents.client.get("/ambil/no-such-office").status_code == 404
    assert tickets(residents.app) == []


def test_bad_form_input_is_refused_with_a_reason(residents):
    client = residents.client
    token = csrf(client)
    for service in ("", "abc", "99999999999999", str(residents.world.other_service), "-1"):
        answer = client.post(PAGE, data={"csrf_token": token, "service": service})
        assert answer.status_code == 422, service
        assert 'id="error"' in answer.get_data(as_text=True)
    assert tickets(residents.app) == []


def test_a_post_without_the_phones_cookie_is_refused(residents):
    client = residents.client
    token = csrf(client)
    client.delete_cookie("ptsp_phone", path="/ambil")
    answer = client.post(PAGE, data={"csrf_token": token, "service": str(residents.world.services["A"])})
    assert answer.status_code == 422 and tickets(residents.app) == []


def test_rate_limits_per_phone_and_per_address(db_url, clock):
    from ptsp.models import Office
    from tests.conftest import load_world, make_test_app

    app = make_test_app(db_url, clock, RATELIMIT_PHONE_DEVICE="2 per minute", RATELIMIT_PHONE_ADDRESS="3 per minute")
    try:
        world = load_world(app, clock)
        with app.extensions["ptsp.sessions"]() as session:
            session.get(Office, world.office).phone_tickets = True
            session.commit()
        client, services = app.test_client(), world.services
        assert take(client, services["A"]).status_code == 303
        assert take(client, services["B"]).status_code == 303
        limited = take(client, services["C"])  # this phone's third in a minute
        assert limited.status_code == 429 and "Terlalu banyak" in limited.get_data(as_text=True)
        phones = [app.test_client() for _ in range(2)]  # the same address, a fresh phone each time
        assert take(phones[0], services["C"]).status_code == 303  # the address's third
        assert take(phones[1], services["C"]).status_code == 429
        assert len(tickets(app)) == 3
    finally:
        app.extensions["ptsp.engine"].dispose()


def test_the_points_rules_treat_a_phone_ticket_as_no_staff_issue(residents, clock):
    from ptsp.models import PointsLedgerEntry

    take(residents.client, residents.world.services["A"])
    counter = residents.clerk(1)
    called = residents.call_next(counter)
    assert residents.client.post(f"/api/v1/tickets/{called['id']}/start").status_code == 200
    clock.advance(minutes=9)
    assert residents.client.post(f"/api/v1/tickets/{called['id']}/complete", json={}).status_code == 200
    with residents.app.extensions["ptsp.read_sessions"]() as session:
        kinds = list(session.scalars(select(PointsLedgerEntry.kind).where(PointsLedgerEntry.ticket_id == called["id"])))
        assert kinds == ["award"]
        assert session.scalar(select(func.count()).select_from(Ticket).where(Ticket.source == "phone")) == 1


def test_an_mpps_services_are_grouped_by_agency_and_an_inactive_agency_is_left_out(residents):
    from ptsp.models import Agency, Service

    with residents.app.extensions["ptsp.sessions"]() as session:
        dukcapil = Agency(office_id=residents.world.office, code="DUKCAPIL", name="Dinas Dukcapil", sort_order=1)
        samsat = Agency(office_id=residents.world.office, code="SAMSAT", name="Samsat", sort_order=2)
        session.add_all([dukcapil, samsat])
        session.flush()
        session.get(Service, residents.world.services["A"]).agency_id = dukcapil.id
        session.get(Service, residents.world.services["B"]).agency_id = samsat.id
        session.commit()
        samsat_id = samsat.id
    html = residents.client.get(PAGE).get_data(as_text=True)
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings == ["Dinas Dukcapil", "Samsat", "Layanan lainnya"]  # the kiosk's order, then the rest
    with residents.app.extensions["ptsp.sessions"]() as session:
        session.get(Agency, samsat_id).active = False
        session.commit()
    html = residents.client.get(PAGE).get_data(as_text=True)
    assert "Samsat" not in html and "Perizinan" not in html
    assert take(residents.client, residents.world.services["B"]).status_code == 409


def test_a_phone_tickets_device_key_is_forgotten_when_it_ends_in_an_office_nobody_subscribed_in(residents):
    client, world = residents.client, residents.world
    assert take(client, world.services["A"]).status_code == 303
    [ticket] = tickets(residents.app)
    assert ticket.phone_device is not None
    counter = residents.clerk()
    assert residents.call_next(counter)["id"] == ticket.id
    residents.finish(ticket.id)
    residents.drain()
    [ended] = tickets(residents.app)
    assert (ended.status, ended.phone_device) == ("done", None)
