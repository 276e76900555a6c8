"""Residents' privacy: a ticket's token ends with its ticket, and `ptsp retention purge` (docs/security.md).

On SQLite and PostgreSQL: the token's reach follows the ticket's state and service day (no stored expiry), and
the purge drops complaint text and old tokens, keeps every score, is idempotent and refuses bad input.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from flask_socketio import SocketIOTestClient
from sqlalchemy import select, update

from ptsp.cli import cli
from ptsp.extensions import socketio
from ptsp.models import Complaint, ComplaintEvent, Rating, Ticket
from tests.points.helpers import Office, supervisor


def connects(app, token: str) -> bool:
    phone = SocketIOTestClient(app, socketio, auth={"ticket": token})
    connected = phone.is_connected()
    if connected:
        phone.disconnect()
    return connected


def reachable(app, token: str, ticket_id: int) -> tuple[int, int, int, int]:
    page = app.test_client()
    return (page.get(f"/t/{token}").status_code, page.get(f"/t/{token}/state").status_code,
            page.get(f"/api/v1/status/{token}").status_code, page.get(f"/t/{token}/nilai").status_code)


def test_a_token_is_live_until_its_ticket_ends_on_a_past_day_then_readable_for_status_days(app, world, clock):
    office = Office(app, world, clock)
    desk = office.desk("clerk1", 1)
    office.issue("A")
    waiting = office.issue("C")
    served = desk.serve(5)
    token, open_token = office.tokens[served["id"]], office.tokens[waiting["id"]]
    assert connects(app, token)  # done today: the page still follows it
    assert reachable(app, token, served["id"]) == (200, 200, 200, 200)

    clock.advance(days=1)
    assert not connects(app, token)  # done on a past day: nothing left to follow live
    assert connects(app, open_token)  # still open (not yet expired): live
    page = app.test_client().get(f"/t/{token}")
    assert page.status_code == 200 and 'data-status="done"' in page.get_data(as_text=True)
    assert office.rate(served, 4).status_code == 303  # the rating form still works

    clock.advance(days=6)  # the 7th day after the service day: still readable
    assert reachable(app, token, served["id"]) == (200, 200, 200, 200)
    clock.advance(days=1)
    assert reachable(app, token, served["id"]) == (410, 410, 410, 410)
    assert not connects(app, open_token)  # whatever its state, a ticket that old opens nothing
    gone = app.test_client().get(f"/t/{token}")
    assert "Tiket tidak tersedia lagi" in gone.get_data(as_text=True)
    english = app.test_client().get(f"/t/{token}?lang=en").get_data(as_text=True)
    assert "no longer available" in english and "7 days" in english
    api = app.test_client().get(f"/api/v1/status/{token}")
    assert api.get_json()["error"] == "gone" and "7" in api.get_json()["message"]


@pytest.fixture
def history(app, world, clock):
    """Three rated tickets with complaints: one closed long ago, one open long ago, one closed lately."""
    office = Office(app, world, clock)
    desk = office.desk("clerk1", 1)
    sup = supervisor(app)
    made = []
    for text in ("Nama saya Budi, HP 0812-3456-7890", "Berkas saya hilang", "Antrean lama"):
        office.issue("A")
        ticket = desk.serve(5)
        assert office.rate(ticket, 2, complaint=text).status_code == 303
        made.append(ticket)
    complaints = sup.get("/api/v1/complaints").get_json()["complaints"]
    ids = {c["text"]: c["id"] for c in complaints}
    for cid in (ids["Nama saya Budi, HP 0812-3456-7890"], ids["Antrean lama"]):
        for status, note in (("verifying", None), ("handling", "dicek"), ("done", "Pak Budi sudah ditelepon")):
            moved = sup.post(f"/api/v1/complaints/{cid}/status", json={"status": status, "note": note})
            assert moved.status_code == 200
    # Move the history to real dates: the command reads the real clock.
    today = datetime.now(UTC)
    with app.extensions["ptsp.sessions"]() as session:
        for ticket, (age, day_age) in zip(made, ((400, 400), (400, 30), (10, 0)), strict=True):
            session.execute(update(Complaint).where(Complaint.ticket_id == ticket["id"])
                            .values(received_at=today - timedelta(days=age)))
            session.execute(update(Ticket).where(Ticket.id == ticket["id"])
                            .values(service_day=(today - timedelta(days=day_age)).date()))
        session.commit()
    return {"tickets": made, "tokens": [office.tokens[t["id"]] for t in made]}


def state(app) -> dict[str, object]:
    with app.extensions["ptsp.read_sessions"]() as session:
        def rows(*columns):
            return sorted(tuple(row) for row in session.execute(select(*columns)))

        return {
            "complaints": rows(Complaint.ticket_id, Complaint.text, Complaint.status),
            "notes": sorted((n or "") for n in session.scalars(select(ComplaintEvent.note))),
            "ratings": rows(Rating.ticket_id, Rating.quick, Rating.staff_id),
            "tokens": {row[0]: row[1] for row in session.execute(select(Ticket.id, Ticket.public_token))},
        }


def purge(monkeypatch, db_url: str, *args: str, **env: str):
    monkeypatch.setenv("PTSP_DATABASE_URL", db_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "retention-test")
    monkeypatch.setenv("PTSP_ENV", "testing")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return CliRunner().invoke(cli, ["retention", "purge", *args])


def test_purge_drops_complaint_text_and_old_tokens_keeps_scores_and_is_idempotent(app, db_url, history,
                                                                                 monkeypatch):
    before = state(app)
    first, second, third = history["tickets"]
    dry = purge(monkeypatch, db_url, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would remove the text of 1 closed complaint(s)" in dry.output and "2 status note(s)" in dry.output
    assert "1 older complaint(s) still open" in dry.output and "token of 2 ticket(s)" in dry.output
    assert state(app) == before

    done = purge(monkeypatch, db_url)
    assert done.exit_code == 0, done.output
    after = state(app)
    texts = {ticket_id: text for ticket_id, text, _status in after["complaints"]}
    assert texts == {first["id"]: "", second["id"]: "Berkas saya hilang", third["id"]: "Antrean lama"}
    assert "Pak Budi sudah ditelepon" in after["notes"]  # the recent complaint's answer stays
    assert after["notes"].count("Pak Budi sudah ditelepon") == 1
    assert after["ratings"] == before["ratings"]  # every score, for SKM and points
    purged = {tid for tid, token in after["tokens"].items() if token != before["tokens"][tid]}
    assert purged == {first["id"], second["id"]}
    assert all(after["tokens"][tid].startswith("purged-") for tid in purged)
    for token in history["tokens"][:2]:  # the paper ticket's QR code opens nothing now
        assert app.test_client().get(f"/t/{token}").status_code == 404
    assert app.test_client().get(f"/t/{history['tokens'][2]}").status_code == 200

    again = purge(monkeypatch, db_url)
    assert again.exit_code == 0, again.output
    assert "text of 0 closed complaint(s)" in again.output and "token of 0 ticket(s)" in again.output
    assert state(app) == after

    explicit = purge(monkeypatch, db_url, "--before", date.today().isoformat())
    assert explicit.exit_code == 1 and "harus hari yang sudah lewat" in explicit.output


@pytest.mark.parametrize(("args", "env", "code", "message"), [
    (["--before", "2026-13-01"], {}, 2, "does not match the format"),
    (["--before", "kemarin"], {}, 2, "does not match the format"),
    (["--before", "2999-01-01"], {}, 1, "harus hari yang sudah lewat"),
    ([], {"PTSP_COMPLAINT_TEXT_DAYS": "0"}, 1, "Masa simpan minimal 1 hari"),
    ([], {"PTSP_STATUS_DAYS": "-3"}, 1, "Masa simpan minimal 1 hari"),
])
def test_purge_refuses_bad_input_with_a_message_and_changes_nothing(app, db_url, history, monkeypatch, args, env,
                                                                    code, message):
    before = state(app)
    result = purge(monkeypatch, db_url, *args, **env)
    assert result.exit_code == code and message in result.output, result.output
    assert "Traceback" not in result.output
    assert state(app) == before
