"""A frozen clock on closed days: the kiosk (REST and page) refuses tickets on 17 August, on cuti bersama and
on an office's own closure day, says why, and issues again on the next working day. Closure days are
entered by the CLI or REST (managers and admins of the office, CSRF), refused cleanly otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select

from ptsp.cli import cli
from ptsp.models import OfficeClosedDay, Ticket
from tests.conftest import bearer, login, pair
from tests.kiosk.conftest import issue

INDEPENDENCE_DAY_9_WIB = datetime(2026, 8, 17, 2, 0, tzinfo=UTC)  # Monday 17 August 2026, 09:00 WIB
CHRISTMAS_EVE_9_WIB = datetime(2026, 12, 24, 2, 0, tzinfo=UTC)  # Thursday: cuti bersama, then Christmas
TUESDAY = date(2026, 11, 24)  # the day after the suite's usual Monday 23 November


def state(client, world, lang: str = "id") -> dict:
    response = client.get(f"/kiosk/state?lang={lang}", headers=bearer(world.kiosk))
    assert response.status_code == 200
    return response.get_json()


def refused_closed(response, name: str) -> None:
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["error"] == "office_closed" and name in body["message"], body


def tickets(app) -> int:
    with app.extensions["ptsp.sessions"]() as session:
        return session.scalar(select(func.count()).select_from(Ticket)) or 0


def test_the_kiosk_refuses_tickets_on_17_august_and_issues_on_the_next_working_day(app, client, world, clock):
    clock.now = INDEPENDENCE_DAY_9_WIB
    name = "Hari Kemerdekaan Republik Indonesia"
    refused_closed(issue(client, world, "A"), name)  # REST, the kiosk's token
    refused_closed(issue(client, world, "A", path="/kiosk/issue"), name)  # the kiosk page's own route
    assert tickets(app) == 0
    shown = state(client, world)
    assert shown["state"] == "closed" and shown["closed_day"]["kind"] == "national"
    assert shown["closed_day"]["title"] == f"Libur nasional: {name}"
    assert "Selasa, 18 Agustus 2026 pukul 08.00 WIB" in shown["closed_day"]["text"]
    english = state(client, world, "en")["closed_day"]
    assert english["title"] == "National holiday: Independence Day", english
    assert "Tuesday, 18 August 2026 at 08:00 WIB" in english["text"], english
    pair(client, world.kiosk, "kiosk")
    page = client.get("/kiosk/").get_data(as_text=True)
    assert 'id="holiday"' in page and "kiosk/holiday.js" in page

    clock.advance(days=1)  # Tuesday 18 August, 09:00
    assert state(client, world)["closed_day"] is None and state(client, world)["state"] == "open"
    answer = issue(client, world, "A", path="/kiosk/issue")
    assert answer.status_code == 201 and answer.get_json()["ticket"]["code"] == "A-001"
    assert issue(client, world, "A").status_code == 201


def test_cuti_bersama_and_christmas_are_closed_and_monday_opens(client, world, clock):
    clock.now = CHRISTMAS_EVE_9_WIB
    refused_closed(issue(client, world, "A"), "Cuti Bersama Hari Raya Natal")
    closed = state(client, world)["closed_day"]
    assert closed["kind"] == "cuti_bersama" and closed["reopens"] == "2026-12-28"  # Friday is Christmas
    clock.advance(days=1)
    refused_closed(issue(client, world, "A"), "Hari Raya Natal")
    clock.advance(days=4)  # Monday 28 December
    assert issue(client, world, "A").status_code == 201


def test_an_office_closure_day_entered_by_a_manager_closes_the_kiosk_that_day_only(app, client, world, clock):
    login(client, "manager")
    added = client.post(f"/api/v1/offices/{world.office}/closures",
                        json={"day": TUESDAY.isoformat(), "reason": "Rapat kerja tahunan"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json() == {"office": world.office, "day": "2026-11-24", "reason": "Rapat kerja tahunan"}
    listed = client.get(f"/api/v1/offices/{world.office}/closures?days=40").get_json()
    assert {"day": "2026-11-24", "reason": "Rapat kerja tahunan"} in listed["office"]
    assert {"day": "2026-12-24", "kind": "cuti_bersama", "name": "Cuti Bersama Hari Raya Natal"} in listed["national"]
    client.post("/api/v1/auth/logout")

    assert issue(client, world, "A").status_code == 201  # Monday: an ordinary day
    clock.advance(days=1)  # Tuesday, the closure day
    refused_closed(issue(client, world, "A"), "Rapat kerja tahunan")
    refused_closed(issue(client, world, "B", path="/kiosk/issue"), "Rapat kerja tahunan")
    shown = state(client, world)["closed_day"]
    assert (shown["kind"], shown["title"]) == ("office", "Kantor tutup: Rapat kerja tahunan")
    assert "Rabu, 25 November 2026 pukul 08.00 WIB" in shown["text"]
    assert state(client, world, "en")["closed_day"]["title"] == "Office closed: Rapat kerja tahunan"
    # The other office keeps its own calendar.
    other = client.post("/api/v1/tickets", headers=bearer(world.other_kiosk),
                        json={"office": world.other_office, "service": world.other_service})
    assert other.status_code == 201
    clock.advance(days=1)  # Wednesday
    assert issue(client, world, "A").status_code == 201
    assert tickets(app) == 3


def closures(app) -> list[tuple[int, date, str]]:
    with app.extensions["ptsp.sessions"]() as session:
        return [tuple(r) for r in session.execute(
            select(OfficeClosedDay.office_id, OfficeClosedDay.day, OfficeClosedDay.reason))]


@pytest.mark.parametrize(("who", "body", "status", "reason_word"), [
    ("clerk1", {"day": "2026-11-24", "reason": "Rapat"}, 403, "manajer"),
    ("sup", {"day": "2026-11-24", "reason": "Rapat"}, 403, "manajer"),
    ("other", {"day": "2026-11-24", "reason": "Rapat"}, 403, "manajer"),
    ("manager", {"day": "2026-11-20", "reason": "Rapat"}, 422, "lewat"),  # the Friday before: past
    ("manager", {"day": "24-11-2026", "reason": "Rapat"}, 422, "day"),
    ("manager", {"day": "2026-11-24", "reason": "   "}, 422, "Alasan"),
    ("manager", {"day": "2026-11-24", "reason": "x" * 201}, 422, "reason"),
    ("manager", {"day": "2026-11-24"}, 422, "reason"),
    ("manager", {"day": "2026-11-24", "reason": "Rapat", "extra": 1}, 422, "extra"),
])
def test_bad_closure_requests_are_refused_and_change_nothing(app, client, world, who, body, status, reason_word):
    login(client, who)
    response = client.post(f"/api/v1/offices/{world.office}/closures", json=body)
    assert response.status_code == status, response.get_json()
    answer = response.get_json()
    assert set(answer) == {"error", "message"} and reason_word in answer["message"], answer
    assert closures(app) == []


def test_closure_refusals_without_csrf_for_duplicates_and_unknown_days(app, client, world):
    login(client, "manager")
    url = f"/api/v1/offices/{world.office}/closures"
    bare = FlaskClient(app, use_cookies=True)
    bare._cookies = client._cookies  # the same logged-in session, without the page's CSRF header
    refused = bare.post(url, json={"day": "2026-11-24", "reason": "Rapat"})
    assert refused.status_code in (400, 403) and set(refused.get_json()) == {"error", "message"}
    assert closures(app) == []
    assert client.post(url, json={"day": "2026-11-24", "reason": "Rapat"}).status_code == 201
    again = client.post(url, json={"day": "2026-11-24", "reason": "Lain"})
    assert again.status_code == 422 and "Rapat" in again.get_json()["message"]
    assert client.delete(f"{url}/2026-11-25").status_code == 404
    assert client.delete(f"{url}/kemarin").status_code == 422
    assert client.post("/api/v1/offices/999999/closures", json={"day": "2026-11-24", "reason": "x"}).status_code == 404
    assert closures(app) == [(world.office, date(2026, 11, 24), "Rapat")]
    assert client.delete(f"{url}/2026-11-24").get_json() == {"ok": True}
    assert closures(app) == []


def test_the_cli_adds_lists_and_removes_closure_days(app, world, monkeypatch, db_url):
    monkeypatch.setenv("PTSP_DATABASE_URL", db_url)
    monkeypatch.setenv("PTSP_ENV", "development")
    runner = CliRunner()
    added = runner.invoke(cli, ["closures", "add", "--office", "kel-test", "--day", "2099-01-05",
                                "--reason", "Pemilihan kepala desa"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["closures", "list", "--office", "kel-test", "--from", "2099-01-01", "--days", "7"])
    assert "2099-01-05\toffice\tPemilihan kepala desa" in listed.output
    assert "2099-01-01\tnational\tTahun Baru Masehi" in listed.output
    again = runner.invoke(cli, ["closures", "add", "--office", "kel-test", "--day", "2099-01-05", "--reason", "x"])
    assert again.exit_code == 1 and "sudah ditutup" in again.output
    assert runner.invoke(cli, ["closures", "remove", "--office", "kel-test", "--day", "2099-01-05"]).exit_code == 0
    gone = runner.invoke(cli, ["closures", "remove", "--office", "kel-test", "--day", "2099-01-05"])
    assert gone.exit_code == 1 and "Tidak ada hari tutup" in gone.output
    assert closures(app) == []
