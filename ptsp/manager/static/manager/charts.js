// Charts page: draws the three charts from the JSON the server embedded; words from the page's catalogue text.
(function () {
  "use strict";
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const COLORS = ["#0b5cad", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#16a085", "#7f8c8d"];
  const charts = [];
  window.PTSPCharts = { drawn: 0 };

  const t = window.PTSPText.t;
  Chart.defaults.locale = window.PTSPText.locale;

  function draw() {
    charts.splice(0).forEach((c) => c.destroy());
    const a = data.arrivals;
    const hours = a.hours.map((h) => `${String(h).padStart(2, "0")}:00`);
    charts.push(new Chart(document.getElementById("chart-arrivals"), {
      type: "line",
      data: {
        labels: hours,
        datasets: [
          ...a.weekdays.map((w, i) => ({
            label: `${w.label} (${w.open_days})`, data: w.mean,
            borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length],
            cubicInterpolationMode: "monotone",
          })),
          { label: t("all_days"), data: a.all_days, borderColor: "#17202a", borderDash: [6, 4],
            borderWidth: 3, pointRadius: 0, cubicInterpolationMode: "monotone" },
        ],
      },
      options: { maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, title: { display: true, text: t("tickets_per_hour") } },
                  x: { title: { display: true, text: t("local_hour") } } } },
    }));
    const w = data.waits;
    charts.push(new Chart(document.getElementById("chart-waits"), {
      type: "bar",
      data: { labels: w.bins.map((b) => `${b} ${t("min")}`),
        datasets: [{ label: t("tickets"), data: w.counts,
          backgroundColor: w.bins.map((b, i) => (i < 3 ? "#27ae60" : i < 5 ? "#d68910" : "#c0392b")) }] },
      options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, title: { display: true, text: t("tickets") } },
                  x: { title: { display: true, text: t("issued_to_called") } } } },
    }));
    const s = data.service_times.filter((r) => r.count > 0);
    charts.push(new Chart(document.getElementById("chart-service"), {
      data: { labels: s.map((r) => r.label.length > 34 ? `${r.label.slice(0, 33)}…` : r.label),
        datasets: [
          { type: "bar", label: t("mean"), data: s.map((r) => r.mean_minutes), backgroundColor: "#0b5cad" },
          { type: "bar", label: "p90", data: s.map((r) => r.p90_minutes), backgroundColor: "#85b4e0" },
          { type: "line", label: t("standard"), data: s.map((r) => r.standard_minutes),
            borderColor: "#c0392b", backgroundColor: "#c0392b", showLine: false, pointStyle: "rectRot", pointRadius: 7 },
        ] },
      options: { maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: t("minutes") } } } },
    }));
    window.PTSPCharts.drawn += 1;
  }

  draw();
})();
