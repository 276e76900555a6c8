"""Manager pages: refused to clerks, scoped to the manager's offices, violations only up the supervisor chain."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ptsp.models import Office
from ptsp.services.accounts import add_staff
from ptsp.services.actors import Actor
from ptsp.services.discipline import scan
from ptsp.services.referrals import add_department, refer
from tests.accountability.history import MONDAY, History
from tests.conftest import login

PAGES = ["/manager/offices", "/manager/referrals", "/manager/pingpong", "/manager/discipline"]
AFTER = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def sign_in(client, username: str, password: str) -> None:
    response = client.post("/manager/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_login_and_a_clerk_is_refused(client, world, path):
    assert client.get(path).status_code == 302
    login(client, "clerk1")
    response = client.get(path)
    assert response.status_code == 403 and "tidak berwenang" in response.get_data(as_text=True)


@pytest.fixture
def two_regions(db, world, clock):
    """Late openings in both test offices; kel-lain gets its own supervisor; a referral from each office."""
    lain_office = db.scalar(select(Office).where(Office.slug == "kel-lain"))
    boss = add_staff(db, username="sup-lain", name="Pengawas Lain", password="password-l", role="supervisor",
                     office=lain_office)
    uji, lain = History(db, "kel-test"), History(db, "kel-lain")
    lain.staff("other").supervisor = boss
    uji.stretch(1, "clerk1", "open", "08:20", "12:00")
    lain.stretch(1, "other", "open", "08:30", "12:00")
    for history, office_id in ((uji, world.office), (lain, world.other_office)):
        scan(db, office_id=office_id, day=MONDAY, now=AFTER)
        dept, _ = add_department(db, office=history.office, slug=f"dinas-{history.office.slug}",
                                 name=f"Dinas {history.office.name}", now=clock())
        ticket = history.ticket("A", "09:00", ("called", "09:05", 1))
        clerk = history.staff("clerk1" if history is uji else "other")
        refer(db, ticket_id=ticket.id, department_id=dept.id, note=f"kasus {history.office.slug}",
              actor=Actor("staff", clerk.id, "clerk", clerk.office_id), now=clock())
    db.commit()


def _page(client, path: str) -> str:
    response = client.get(path + "?from=2026-11-01&to=2026-11-30")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("username", "password", "sees", "hidden"), [
    ("sup", "password-s", "Clerk Satu", "Petugas Lain"),
    ("manager", "password-m", "Clerk Satu", "Petugas Lain"),
    ("sup-lain", "password-l", "Petugas Lain", "Clerk Satu"),
])
def test_discipline_page_shows_each_supervisor_only_their_chain(client, two_regions, username, password, sees,
                                                                 hidden):
    sign_in(client, username, password)
    page = _page(client, "/manager/discipline")
    assert sees in page and hidden not in page
    assert page.count("data-violation=") == 1


def test_referrals_and_offices_pages_are_scoped_to_the_managers_offices(client, two_regions):
    sign_in(client, "manager", "password-m")
    referrals = _page(client, "/manager/referrals")
    assert "kasus kel-test" in referrals and "kasus kel-lain" not in referrals
    offices = _page(client, "/manager/offices")
    assert "Kelurahan Uji" in offices and "Kelurahan Lain" not in offices
    pingpong = _page(client, "/manager/pingpong")
    assert "Kelurahan Uji" in pingpong and "Kelurahan Lain" not in pingpong


@pytest.mark.parametrize("query", ["from=bad", "from=2026-12-01&to=2026-11-01", "from=2020-01-01&to=2026-11-30",
                                   "to=0001-01-01",  # the default period before it overflowed: was a 500
                                   "quarter=2026Q9&office=abc&status=lost&kind=nope&a=x&b=99999"])
def test_bad_filters_fall_back_with_a_message_never_a_500(client, world, query):
    sign_in(client, "manager", "password-m")
    for path in PAGES:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, path
        periodic = not path.endswith("referrals")  # the referrals page takes a quarter, not a period
        told = ("from=" in query or "to=" in query) if periodic else ("quarter=" in query)
        assert ('role="alert"' in response.get_data(as_text=True)) is told, path


def test_violations_api_follows_the_same_chain_and_refuses_clerks_and_bad_filters(client, two_regions):
    login(client, "sup")
    mine = client.get("/api/v1/violations?kind=late_opening&from=2026-11-23&to=2026-11-23").get_json()
    assert [(v["kind"], v["minutes"]) for v in mine] == [("late_opening", 35.0)]  # from the 07:45 ready time
    for query in ("kind=nope", "from=23-11-2026", "office=x"):
        response = client.get(f"/api/v1/violations?{query}")
        assert response.status_code == 422 and set(response.get_json()) == {"error", "message"}
    client.post("/api/v1/auth/logout")
    login(client, "sup-lain", "password-l")
    assert [v["minutes"] for v in client.get("/api/v1/violations").get_json()] == [45.0]
    client.post("/api/v1/auth/logout")
    login(client, "clerk1")
    refused = client.get("/api/v1/violations")
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
