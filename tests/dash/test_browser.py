"""Headless Chromium against a real `ptsp run`: the dashboard follows the offices live; the charts draw."""

from __future__ import annotations

import requests

from tests.conftest import PageSession


def manager_page(server, page_factory, path: str):
    page = page_factory(1366, 900)
    page.goto(f"{server.base}/manager/login")
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "password-m")
    page.click("button[type=submit]")
    page.wait_for_url("**/manager/")
    page.goto(f"{server.base}{path}")
    return page


def clerk_session(server, username="clerk1", password="password-1") -> requests.Session:
    http = PageSession()
    assert http.post(f"{server.base}/api/v1/auth/login", json={"username": username, "password": password},
                     timeout=5).status_code == 200
    return http


def kpi(page, name: str) -> str:
    return page.inner_text(f"[data-kpi='{name}']").strip()


def test_dashboard_updates_live_when_a_ticket_is_issued_and_called(server, page_factory):
    page = manager_page(server, page_factory, "/manager/dashboard")
    page.wait_for_selector("#live-state[data-state='live']")
    assert kpi(page, "waiting") == "0"
    assert "Belum ada printer terdaftar" in page.inner_text("[data-table='printers']")
    before = page.evaluate("window.PTSPDashboard.refreshes")

    ticket = server.issue("A")
    page.wait_for_function("document.querySelector(\"[data-kpi='waiting']\").textContent.trim() === '1'")
    assert page.inner_text("[data-table='services'] tr[data-service='A'] [data-cell='waiting']") == "1"
    assert kpi(page, "issued") == "1"

    clerk = clerk_session(server)
    counters = requests.get(f"{server.base}/api/v1/offices", headers={"Authorization": f"Bearer {server.kiosk}"},
                            timeout=5).json()
    office = counters[0]["id"]
    queue = clerk.get(f"{server.base}/api/v1/offices/{office}/queue", timeout=5).json()
    counter = next(c["id"] for c in queue["counters"] if c["number"] == 1)
    assert clerk.post(f"{server.base}/api/v1/counters/{counter}/open", json={}, timeout=5).status_code == 200
    page.wait_for_function(
        "document.querySelector(\"tr[data-counter='1'] [data-cell='state']\").textContent.includes('buka')")
    assert "Clerk Satu" in page.inner_text("tr[data-counter='1']")
    assert clerk.post(f"{server.base}/api/v1/counters/{counter}/call-next", json={}, timeout=5).status_code == 200
    cell = "document.querySelector(\"tr[data-counter='1'] [data-cell='ticket']\")"
    page.wait_for_function(f"{cell}.textContent.includes('{ticket['code']}')")
    assert kpi(page, "waiting") == "0"
    assert kpi(page, "service-level") == "100,0%"
    assert page.evaluate("window.PTSPDashboard.refreshes") > before
    page.click(".lang-switch [data-lang=en]")
    page.wait_for_selector("#live-state[data-state='live']")
    assert "Service level today" in page.inner_text("#live")


def test_charts_page_draws_three_charts_from_local_files_and_follows_the_language(server, page_factory):
    for prefix in ("A", "A", "C"):
        server.issue(prefix)
    page = manager_page(server, page_factory, "/manager/charts")
    page.wait_for_function("window.PTSPCharts && window.PTSPCharts.drawn >= 1")
    charts = page.evaluate("""['chart-arrivals', 'chart-waits', 'chart-service'].map(id => {
        const c = Chart.getChart(id); return {type: c.config.type, sets: c.data.datasets.length,
        labels: c.data.labels.length, first: c.data.datasets[0].label}; })""")
    assert [c["sets"] for c in charts] == [2, 1, 3]  # today's weekday + all days; one histogram; mean, p90, standard
    assert charts[0]["labels"] >= 1 and charts[1]["labels"] == 8
    assert page.evaluate("Chart.getChart('chart-arrivals').data.datasets[0].data.reduce((a, b) => a + b, 0)") == 3
    page.click(".lang-switch [data-lang=en]")
    page.wait_for_function("window.PTSPCharts && window.PTSPCharts.drawn >= 1")
    assert page.evaluate("Chart.getChart('chart-service').data.datasets[0].label") == "mean"
    scripts = page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)")
    assert all(src.startswith(server.base) for src in scripts), scripts


def test_dashboard_keeps_refreshing_while_facts_never_stop(server, page_factory):
    # A city's offices produce facts several times a second; a refresh that every fact postpones would
    # never come. Issue a ticket every 100 ms for 3 s and check the panels follow while the stream lasts.
    page = manager_page(server, page_factory, "/manager/dashboard")
    page.wait_for_selector("#live-state[data-state='live']")
    before = page.evaluate("window.PTSPDashboard.refreshes")
    for _ in range(30):
        server.issue("A")
        page.wait_for_timeout(100)
    during = page.evaluate("window.PTSPDashboard.refreshes") - before
    assert during >= 3, f"only {during} refreshes during 3 s of facts"
    page.wait_for_function("document.querySelector(\"[data-kpi='waiting']\").textContent.trim() === '30'")
