// Leaderboard trend chart, hold decisions and complaint moves, through the REST API.
(function () {
  "use strict";
  const COLOURS = ["#0b5cad", "#c0392b", "#1e8449", "#8e44ad", "#d68910", "#17a589"];

  async function post(url, body) {
    const response = await window.ptspFetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body), credentials: "same-origin"});
    const data = await response.json().catch(() => ({message: response.statusText}));
    return {ok: response.ok, data};
  }

  const trendData = document.getElementById("trend-data");
  if (trendData && window.Chart) {
    const trend = JSON.parse(trendData.textContent);
    window.Chart.defaults.locale = window.PTSPText.locale;
    new window.Chart(document.getElementById("trend"), {
      type: "line",
      data: {labels: trend.days.map((d) => d.slice(5)), datasets: trend.series.map((s, i) => ({
        label: s.name, data: s.points, borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length], tension: 0, pointRadius: 2}))},
      options: {animation: false, responsive: true, maintainAspectRatio: false, scales: {y: {beginAtZero: true,
        title: {display: true, text: window.PTSPText.t("points")}}}},
    });
  }

  document.addEventListener("click", async (event) => {
    const decide = event.target.closest("[data-decide]");
    if (decide) {
      const row = decide.closest("tr");
      const reason = row.querySelector(".note").value;
      const {ok, data} = await post(`/api/v1/points/holds/${row.dataset.ticket}/${decide.dataset.decide}`, {reason});
      row.querySelector(".result").textContent = ok ? "✓ " + data.lines.map((l) => window.PTSPText.t(`kind_${l.kind}`)).join(", ") : data.message;
      row.querySelector(".result").className = "result " + (ok ? "ok" : "error");
      if (ok) row.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      return;
    }
    const move = event.target.closest("[data-move]");
    if (move) {
      const row = move.closest("[data-complaint]");
      const note = row.querySelector(".note").value;
      const {ok, data} = await post(`/api/v1/complaints/${row.dataset.complaint}/status`,
        {status: move.dataset.move, note: note || null});
      if (ok) { window.location.reload(); return; }
      row.querySelector(".result").textContent = data.message;
      row.querySelector(".result").className = "result error";
    }
  });
})();
