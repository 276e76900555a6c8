"""Planning pages: scoping and bad input over the test client; the real pages in headless Chromium."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from ptsp.db import make_engine
from ptsp.models import Office
from tests.conftest import WEEKDAY_HOURS, LiveServer, ServerTemplate
from tests.planning.history_builder import office_days

TODAY = date(2026, 11, 23)  # the frozen clock's Monday


def rate(prefix: str, hour: int, weekday: str) -> float:
    shape = {8: 0.6, 9: 1.0, 10: 1.2, 11: 0.9, 12: 0.3, 13: 0.8, 14: 0.6, 15: 0.4}[hour]
    return {"A": 8.0, "B": 1.5, "C": 4.0}[prefix] * shape


def write_history(session, today: date, days: int) -> None:
    open_days = [today - timedelta(days=i) for i in range(1, days + 1) if (today - timedelta(days=i)).weekday() < 5]
    office_days(session, "kel-test", open_days, rate, {"A": 10.0, "B": 20.0, "C": 5.0},
                lambda hour, weekday: {8: 2, 9: 3, 10: 3, 11: 3, 13: 3, 14: 2, 15: 2}.get(hour, 0), patience=45.0)


@pytest.fixture
def manager_client(app, client, world):
    session = app.extensions["ptsp.sessions"]()
    write_history(session, TODAY, days=10)
    session.commit()
    session.close()
    client.post("/manager/login", data={"username": "manager", "password": "password-m"})
    return client


def test_plan_page_shows_points_clerks_shifts_and_simulation(manager_client, world):
    response = manager_client.get(f"/manager/plan?office={world.office}&from=2026-11-30&day=tue")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for fragment in ('id="hourly"', 'id="shifts"', 'id="roster"', 'id="estimates"', 'id="need-chart"',
                     "Erlang", "HiGHS", "optimal", "chart.umd.min.js"):
        assert fragment in page


def test_plan_rota_covers_the_lunch_staff_break_and_keeps_the_friday_closure_closed(app, manager_client, world):
    session = app.extensions["ptsp.sessions"]()
    session.execute(update(Office).where(Office.id == world.office).values(
        closures={"fri": [["11:30", "13:30", "Sholat Jumat"]]}))
    session.commit()
    session.close()

    def rota_of(day: str) -> str:
        page = manager_client.get(f"/manager/plan?office={world.office}&from=2026-11-30&day={day}")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        return body[body.index('id="rota"'):body.index('id="rota-legend"')]

    monday = rota_of("mon")  # lunch 12:00-13:00 is a staff break: open, rests in turns
    assert "istirahat bergilir" in monday and "tutup" not in monday
    assert '<th class="num staff-break">12</th>' in monday
    friday = rota_of("fri")  # the Friday prayer 11:30-13:30 is a declared closure
    assert "tutup (Sholat Jumat)" in friday and "istirahat bergilir" not in friday
    assert '<th class="num closed">12</th>' in friday


def test_plan_of_an_office_outside_the_managers_region_is_not_shown(manager_client, world):
    response = manager_client.get(f"/manager/plan?office={world.other_office}")
    assert response.status_code == 404
    assert "di luar wewenang" in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("from=30-11-2026", "Tanggal tidak valid"),
    ("weeks=99", "Minggu harus antara 1 dan 8"),
    ("weeks=two", "Minggu harus bilangan bulat"),
])
def test_bad_plan_parameters_give_a_readable_message(manager_client, world, query, message):
    response = manager_client.get(f"/manager/plan?office={world.office}&{query}")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_calculator_answers_like_the_cli_and_explains_bad_input(manager_client):
    ok = manager_client.post("/manager/calculator", data={
        "arrivals_per_hour": "57", "service_minutes": "18.5", "target_minutes": "3", "target_level": "80"})
    assert ok.status_code == 200
    assert 'id="calc-clerks">21<' in ok.get_data(as_text=True)
    for form, message in [
        ({"arrivals_per_hour": "lots", "service_minutes": "5", "target_minutes": "1", "target_level": "80"},
         "bukan angka"),
        ({"arrivals_per_hour": "10", "service_minutes": "0", "target_minutes": "1", "target_level": "80"},
         "service_minutes"),
        ({"arrivals_per_hour": "10", "service_minutes": "5", "target_minutes": "", "target_level": "80"},
         "Isi kolom target_minutes"),
    ]:
        bad = manager_client.post("/manager/calculator", data=form)
        assert bad.status_code == 422
        body = bad.get_data(as_text=True)
        assert 'role="alert"' in body and message in body


def test_opening_hours_page_shows_options_and_a_recommendation(manager_client, world):
    response = manager_client.get(f"/manager/hours?office={world.office}&min_weekly=20")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="recommended"') == 5  # one per open weekday
    assert "menit sebelum tutup" in page and "data-hours-day" in page
    assert manager_client.get(f"/manager/hours?office={world.office}&moves=150").status_code == 422


def test_clerk_is_refused_the_planning_pages(app, client, world):
    from tests.conftest import login

    login(client, "clerk1")
    for url in ("/manager/plan", "/manager/calculator", "/manager/hours"):
        assert client.get(url).status_code == 403


# --- headless Chromium ------------------------------------------------------------------------


@pytest.fixture
def planned_server(tmp_path: Path, server_template: ServerTemplate):
    live = LiveServer(tmp_path, server_template)
    engine = make_engine(live.env["PTSP_DATABASE_URL"])
    from sqlalchemy.orm import sessionmaker

    session = sessionmaker(engine)()
    session.execute(update(Office).where(Office.slug == "kel-test").values(hours=WEEKDAY_HOURS,
                                                                          last_ticket_minutes=30))
    session.commit()
    # The server runs on the real clock: give it the weeks before today.
    write_history(session, date.today(), days=21)
    session.commit()
    office_id = session.scalar(select(Office.id).where(Office.slug == "kel-test"))
    session.close()
    engine.dispose()
    live.start()
    yield live, office_id
    live.stop()


def test_planning_pages_render_their_charts_in_chromium(planned_server, page_factory, shot):
    live, office_id = planned_server
    page = page_factory(1366, 900)
    page.goto(f"{live.base}/manager/login")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "password-m")
    page.click("button[type=submit]")
    page.wait_for_url("**/manager/")

    monday = date.today() - timedelta(days=date.today().weekday())
    page.goto(f"{live.base}/manager/plan?office={office_id}&day=mon&from={monday.isoformat()}")
    page.wait_for_function("window.ptspChartsReady === true")
    assert page.locator("#hourly tbody tr").count() >= 8
    assert page.evaluate("Chart.getChart('need-chart').data.datasets.length") == 3
    needed = page.evaluate("Chart.getChart('need-chart').data.datasets[1].data")
    assert max(needed) >= 2
    assert page.locator("#backtest-chart").count() == 1
    shot(page, "plan", full_page=True)
    page.click(".lang-switch [data-lang=en]")
    page.wait_for_function("window.ptspChartsReady === true")
    assert page.locator("h1").inner_text().startswith("Staffing plan")
    shot(page, "plan-en", full_page=False)
    page.click(".lang-switch [data-lang=id]")

    page.goto(f"{live.base}/manager/hours?office={office_id}")
    page.wait_for_function("window.ptspChartsReady === true")
    assert page.locator("tr.recommended").count() == 5
    shot(page, "hours", full_page=True)

    page.goto(f"{live.base}/manager/calculator")
    page.fill("input[name=arrivals_per_hour]", "57")
    page.fill("input[name=service_minutes]", "18.5")
    page.fill("input[name=target_minutes]", "3")
    page.click("#calc-form button[type=submit]")
    page.wait_for_function("window.ptspChartsReady === true")
    assert page.locator("#calc-clerks").inner_text() == "21"
    shot(page, "calculator", full_page=True)
    page.fill("input[name=service_minutes]", "-3")
    page.click("#calc-form button[type=submit]")
    assert "service_minutes" in page.locator("#calc-error").inner_text()
    shot(page, "calculator-error", full_page=False)


def test_planning_pages_open_on_the_office_with_history_and_explain_an_office_without(manager_client, world):
    # No office asked: the page opens on the office with services and tickets, not the first by name.
    page = manager_client.get("/manager/plan?day=tue").get_data(as_text=True)
    assert f'<option value="{world.office}" selected>' in page
    for fragment in ('id="backtest-error"', 'id="rota"', 'id="patience"', "Kontrafaktual rencana",
                     "semua terlayani", "Galat absolut rata-rata"):
        assert fragment in page
    assert f'<option value="{world.office}" selected>' in manager_client.get("/manager/hours").get_data(as_text=True)


def test_an_office_without_history_reads_as_sentences_not_none_or_infinity(app, client, world):
    import re

    client.post("/manager/login", data={"username": "manager", "password": "password-m"})
    for url in (f"/manager/plan?office={world.office}", f"/manager/hours?office={world.office}"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        main = body[body.index("<main"):body.index("</main>")]
        text = re.sub(r"<script.*?</script>|<[^>]+>", " ", main, flags=re.S)
        assert not re.search(r"\bNone\b|∞|\bnan\b|\binf\b", text), url
        assert 'id="no-history"' in body
    plan = client.get(f"/manager/plan?office={world.office}").get_data(as_text=True)
    assert "Kesabaran tidak dapat diperkirakan" in plan and "Erlang C" in plan
