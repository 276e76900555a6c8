"""The inbox over REST and as a manager page, and the clerk's own violations: who may see and do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ptsp.models import Office, ViolationAnswer, ViolationNotice
from ptsp.services.accounts import add_staff
from ptsp.services.discipline_notices import ensure_notices
from tests.accountability.history import History
from tests.accountability.test_notices import violation
from tests.conftest import login


@pytest.fixture
def noticed(db, world, clock):
    """A late opening of clerk1 (kel-test) and one of `other` (kel-lain, supervised by sup-lain), noticed."""
    lain = db.scalar(select(Office).where(Office.slug == "kel-lain"))
    add_staff(db, username="sup-lain", name="Pengawas Lain", password="password-l", role="supervisor", office=lain)
    day = clock().date()
    mine = violation(db, world.office, History(db).staff("clerk1"), day=day)
    violation(db, lain.id, History(db, "kel-lain").staff("other"), day=day)
    for office in (world.office, lain.id):
        ensure_notices(db, office_id=office, day=day, now=clock())
    db.commit()
    return mine


def _state(db, violation_id):
    db.expire_all()
    rows = db.scalars(select(ViolationNotice).where(ViolationNotice.violation_id == violation_id)
                      .order_by(ViolationNotice.id))
    answer = db.scalar(select(ViolationAnswer.text).where(ViolationAnswer.violation_id == violation_id))
    state = [(n.read_at, n.acknowledged_at, n.note) for n in rows], answer
    db.rollback()  # end the read: the test's session must not hold SQLite's writer lock
    return state


def test_rest_inbox_read_acknowledge_and_refusals(client, db, noticed):
    login(client, "sup")
    inbox = client.get("/api/v1/notices").get_json()
    assert inbox["unread"] == 1 and len(inbox["notices"]) == 1
    notice = inbox["notices"][0]
    assert notice["level"] == 1 and notice["violation"]["staff_name"] == "Clerk Satu"
    assert client.get("/api/v1/notices?unread=maybe").status_code == 422
    before = _state(db, noticed.id)
    for body, reason in (({"note": ""}, "invalid_input"), ({"note": "   "}, "invalid_input"), ({}, "invalid_input")):
        refused = client.post(f"/api/v1/notices/{notice['id']}/acknowledge", json=body)
        assert refused.status_code == 422 and refused.get_json()["error"] == reason
        assert refused.get_json()["message"]
    assert _state(db, noticed.id) == before

    client.post("/api/v1/auth/logout")
    login(client, "sup-lain", "password-l")  # a neighbour office's supervisor
    assert all(n["violation"]["office_name"] == "Kelurahan Lain" for n in client.get("/api/v1/notices").get_json()[
        "notices"])
    for path, body in ((f"/api/v1/notices/{notice['id']}/read", None),
                       (f"/api/v1/notices/{notice['id']}/acknowledge", {"note": "bukan urusan saya"})):
        refused = client.post(path, json=body) if body else client.post(path)
        assert refused.status_code == 404 and set(refused.get_json()) == {"error", "message"}
    assert _state(db, noticed.id) == before

    client.post("/api/v1/auth/logout")
    login(client, "sup")
    assert client.post(f"/api/v1/notices/{notice['id']}/read").get_json()["read_at"]
    assert client.get("/api/v1/notices").get_json()["unread"] == 0
    done = client.post(f"/api/v1/notices/{notice['id']}/acknowledge", json={"note": "Ditegur"}).get_json()
    assert done["note"] == "Ditegur" and done["acknowledged_at"]
    again = client.post(f"/api/v1/notices/{notice['id']}/acknowledge", json={"note": "lagi"})
    assert again.status_code == 409 and again.get_json()["error"] == "invalid_transition"


def test_the_clerk_sees_and_answers_only_their_own_violations(client, db, noticed):
    login(client, "clerk2")
    assert client.get("/api/v1/violations/mine").get_json() == []
    refused = client.put(f"/api/v1/violations/{noticed.id}/answer", json={"text": "bukan saya"})
    assert refused.status_code == 404 and set(refused.get_json()) == {"error", "message"}
    client.post("/api/v1/auth/logout")
    login(client, "clerk1")
    mine = client.get("/api/v1/violations/mine").get_json()
    assert [v["id"] for v in mine] == [noticed.id] and mine[0]["answer_editable"] is True
    assert client.get("/api/v1/violations/mine?days=0").status_code == 422
    assert client.put(f"/api/v1/violations/{noticed.id}/answer", json={"text": " "}).status_code == 422
    answered = client.put(f"/api/v1/violations/{noticed.id}/answer", json={"text": "Hujan deras"}).get_json()
    assert answered["answer"]["text"] == "Hujan deras"
    client.post("/api/v1/auth/logout")
    login(client, "manager")  # the level-2 superior sees the answer beside the notice
    notice = client.get("/api/v1/notices").get_json()["notices"][0]
    assert notice["level"] == 2 and notice["violation"]["answer"]["text"] == "Hujan deras"
    client.post(f"/api/v1/notices/{notice['id']}/acknowledge", json={"note": "Dimaklumi"})
    client.post("/api/v1/auth/logout")
    login(client, "clerk1")
    locked = client.put(f"/api/v1/violations/{noticed.id}/answer", json={"text": "ubah"})
    assert locked.status_code == 409 and "diakui" in locked.get_json()["message"]
    assert _state(db, noticed.id)[1] == "Hujan deras"
    assert client.get("/api/v1/violations/mine").get_json()[0]["acknowledgements"][0]["note"] == "Dimaklumi"


def _sign_in(client, username, password):
    assert client.post("/manager/login", data={"username": username, "password": password}).status_code == 302


def _csrf(client) -> str:
    return client.get("/api/v1/auth/csrf").get_json()["csrf_token"]


def test_inbox_page_counts_unread_and_acknowledges_with_a_note(client, db, noticed):
    _sign_in(client, "sup", "password-s")
    page = client.get("/manager/notices").get_data(as_text=True)
    assert 'id="notice-unread"' in page and "Clerk Satu" in page and "atasan langsung" in page
    notice_id = db.scalar(select(ViolationNotice.id).join(ViolationNotice.violation).where(
        ViolationNotice.level == 1, ViolationNotice.violation_id == noticed.id))
    db.rollback()
    before = _state(db, noticed.id)
    blank = client.post(f"/manager/notices/{notice_id}/acknowledge", data={"note": "  ", "csrf_token": _csrf(client)})
    assert blank.status_code == 422 and "Isi catatan tindak lanjut" in blank.get_data(as_text=True)
    no_token = client.post(f"/manager/notices/{notice_id}/acknowledge", data={"note": "x"},
                           headers={"X-CSRFToken": "wrong"})
    assert no_token.status_code in (400, 403)
    assert _state(db, noticed.id) == before
    read = client.post(f"/manager/notices/{notice_id}/read", data={"csrf_token": _csrf(client)})
    assert read.status_code == 302
    assert 'id="notice-unread"' not in client.get("/manager/notices").get_data(as_text=True)
    done = client.post(f"/manager/notices/{notice_id}/acknowledge",
                       data={"note": "Sudah dibina", "csrf_token": _csrf(client)}, follow_redirects=True)
    assert done.status_code == 200 and "Sudah dibina" in done.get_data(as_text=True)
    client.post("/manager/logout", data={"csrf_token": _csrf(client)})

    _sign_in(client, "sup-lain", "password-l")
    page = client.get("/manager/notices").get_data(as_text=True)
    assert "Clerk Satu" not in page and "Petugas Lain" in page
    refused = client.post(f"/manager/notices/{notice_id}/read", data={"csrf_token": _csrf(client)})
    assert refused.status_code == 404 and "tidak ditemukan" in refused.get_data(as_text=True)


def test_a_clerk_gets_the_refusal_page(client, noticed):
    login(client, "clerk1")
    assert client.get("/manager/notices").status_code == 403


def test_own_violations_reach_back_fourteen_days_by_default(client, db, world, clock, noticed):
    old = violation(db, world.office, History(db).staff("clerk1"), key="old", day=clock().date() - timedelta(days=20))
    db.commit()
    login(client, "clerk1")
    assert old.id not in [v["id"] for v in client.get("/api/v1/violations/mine").get_json()]
    assert old.id in [v["id"] for v in client.get("/api/v1/violations/mine?days=30").get_json()]


