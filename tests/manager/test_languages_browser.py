"""Headless Chromium against a real `ptsp run`: the words the dashboard's and the charts' scripts build
come from the page's catalogue text, in Indonesian and in English, and the one language switch
changes every page and back. Screenshots at 1366×768 and 1920×1080 (the rating form at 390×844)."""

from __future__ import annotations

import pytest

from tests.dash.test_browser import manager_page
from tests.points.test_browser import serve_one

pytestmark = pytest.mark.browser

SIZES = ((1366, 768), (1920, 1080))


def chart_words(page) -> dict:
    return page.evaluate("""(() => {
        const arrivals = Chart.getChart('chart-arrivals'), waits = Chart.getChart('chart-waits');
        const service = Chart.getChart('chart-service');
        return {arrivals: arrivals.data.datasets.map(d => d.label),
                y: arrivals.options.scales.y.title.text, x: arrivals.options.scales.x.title.text,
                waits_x: waits.options.scales.x.title.text, service: service.data.datasets.map(d => d.label)};
    })()""")


def test_dashboard_and_charts_build_their_labels_in_each_language_and_the_switch_goes_both_ways(
        server, page_factory, shot):
    for prefix in ("A", "A", "C"):
        server.issue(prefix)
    page = manager_page(server, page_factory, "/manager/dashboard")
    page.wait_for_selector("#live-state[data-state='live']")
    assert page.inner_text("#live-state") == "Langsung"
    assert page.evaluate("document.documentElement.lang") == "id"
    assert "Menunggu sekarang" in page.inner_text("#live")

    page.click(".lang-switch [data-lang=en]")
    page.wait_for_selector("#live-state[data-state='live']")
    assert page.inner_text("#live-state") == "Live"
    assert "Waiting now" in page.inner_text("#live") and "Menunggu sekarang" not in page.inner_text("body")
    assert page.url.endswith("/manager/dashboard")

    page.goto(f"{server.base}/manager/charts")
    page.wait_for_function("window.PTSPCharts && window.PTSPCharts.drawn >= 1")
    english = chart_words(page)
    assert english["arrivals"][-1] == "All days" and english["y"] == "tickets per hour"
    assert english["x"] == "local hour" and english["waits_x"] == "issued → first called"
    assert english["service"] == ["mean", "p90", "standard"]
    weekday = english["arrivals"][0].split(" (")[0]
    assert weekday in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

    page.click(".lang-switch [data-lang=id]")
    page.wait_for_function("window.PTSPCharts && window.PTSPCharts.drawn >= 1")
    indonesian = chart_words(page)
    assert indonesian["arrivals"][-1] == "Semua hari" and indonesian["y"] == "tiket per jam"
    assert indonesian["service"] == ["rata-rata", "p90", "standar"]
    assert indonesian["arrivals"][0].split(" (")[0] in ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
    assert page.evaluate("document.documentElement.lang") == "id"


def test_screenshots_of_the_manager_pages_and_the_rating_form_in_both_languages(server, page_factory, shot):
    ticket = serve_one(server)
    token = ticket["status_url"].rsplit("/", 1)[1]
    for width, height in SIZES:
        for lang in ("id", "en"):
            page = manager_page(server, page_factory, f"/manager/dashboard?lang={lang}")
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_selector("#live-state[data-state='live']")
            shot(page, f"dashboard-{lang}-{width}")
            page.goto(f"{server.base}/manager/charts?lang={lang}")
            page.wait_for_function("window.PTSPCharts && window.PTSPCharts.drawn >= 1")
            shot(page, f"charts-{lang}-{width}")
            page.goto(f"{server.base}/manager/plan?lang={lang}")
            page.wait_for_selector("h1")
            shot(page, f"plan-{lang}-{width}")
    for lang in ("id", "en"):
        phone = page_factory(390, 844)
        phone.goto(f"{server.base}/t/{token}/nilai?lang={lang}")
        phone.wait_for_selector("form.rate")
        assert phone.evaluate("document.documentElement.lang") == lang
        shot(phone, f"rating-{lang}-390", full_page=True)
