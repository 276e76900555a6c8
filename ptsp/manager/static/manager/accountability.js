// Charts of the accountability pages (Chart.js 4, served locally). Each page embeds its figures as JSON.
(function () {
  "use strict";
  const source = document.getElementById("page-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const charts = [];
  const t = window.PTSPText.t;
  Chart.defaults.locale = window.PTSPText.locale;
  const FLAG_COLOURS = { low_alarm: "#b3261e", low_warn: "#c77d00", ok: "#0b5cad", high_warn: "#1f8a4c",
    high_alarm: "#1f8a4c", no_exposure: "#9aa5b1" };
  const KIND_COLOURS = { late_opening: "#c77d00", uncovered_service: "#b3261e", long_break: "#6b4fa8",
    idle_clerk: "#0b5cad" };

  function funnel(canvasId, f, xLabel) {
    const canvas = document.getElementById(canvasId);
    if (!canvas) return;
    const line = (key, label, colour, dash) => ({
      type: "line", label, data: f.curve.map((c) => ({ x: c.exposure, y: c[key] })), borderColor: colour,
      borderDash: dash, borderWidth: 1.5, pointRadius: 0, fill: false, tension: 0.2,
    });
    const widest = f.curve.length ? f.curve[f.curve.length - 1].exposure : 1;
    charts.push(new Chart(canvas, {
      type: "scatter",
      data: {
        datasets: [
          { label: t("offices"), data: f.points.filter((p) => p.exposure > 0)
              .map((p) => ({ x: p.exposure, y: p.rate, name: p.office_name, flag: p.flag })),
            pointBackgroundColor: f.points.filter((p) => p.exposure > 0).map((p) => FLAG_COLOURS[p.flag]),
            backgroundColor: "#0b5cad", pointRadius: 5 },
          line("lower_0.998", t("limits_998"), "#b3261e", []),
          line("upper_0.998", "", "#b3261e", []),
          line("lower_0.95", t("limits_95"), "#c77d00", [5, 4]),
          line("upper_0.95", "", "#c77d00", [5, 4]),
          { type: "line", label: t("pooled"), borderColor: "#34495e", borderWidth: 1,
            pointRadius: 0, data: [{ x: 0, y: f.pooled_rate }, { x: widest, y: f.pooled_rate }] },
        ],
      },
      options: {
        animation: false,
        scales: { x: { type: "linear", title: { display: true, text: xLabel() } },
          y: { min: 0, title: { display: true, text: t("residents_per_hour") } } },
        plugins: {
          legend: { labels: { filter: (item) => item.text !== "" } },
          tooltip: { callbacks: { label: (ctx) => ctx.raw.name
            ? `${ctx.raw.name}: ${ctx.raw.y.toFixed(2)} (${ctx.raw.x.toFixed(0)} h)` : "" } },
        },
      },
    }));
  }

  function bars(canvasId, labels, datasets, stacked, yTitle) {
    const canvas = document.getElementById(canvasId);
    if (!canvas) return;
    charts.push(new Chart(canvas, {
      type: "bar", data: { labels, datasets },
      options: { animation: false, scales: { x: { stacked }, y: { stacked, beginAtZero: true,
        title: { display: !!yTitle, text: yTitle } } } },
    }));
  }

  function draw() {
    charts.splice(0).forEach((c) => c.destroy());
    if (data.open) funnel("funnel-open", data.open, () => t("open_hours"));
    if (data.clerk) funnel("funnel-clerk", data.clerk, () => t("clerk_hours"));
    if (data.ranking) {
      bars("ranking-chart", data.ranking.map((r) => r.department_name), [
        { label: t("breach"), data: data.ranking.map((r) => 100 * r.breach_rate),
          backgroundColor: "#b3261e" },
        { label: t("median_response"), data: data.ranking.map((r) => r.median_response_hours),
          backgroundColor: "#0b5cad" },
      ], false, "");
    }
    if (data.rows) {
      bars("pingpong-chart", data.rows.map((r) => `${r.office_name} · ${r.service_prefix}`), [
        { label: t("pingpong"), data: data.rows.map((r) => 100 * r.rate),
          backgroundColor: "#c77d00" },
      ], false, "%");
    }
    if (data.per_day) {
      const days = Object.keys(data.per_day);
      bars("discipline-chart", days, data.kinds.map((k) => ({
        label: data.labels[k], data: days.map((d) => data.per_day[d][k] || 0),
        backgroundColor: KIND_COLOURS[k],
      })), true, t("violations"));
    }
    window.ptspCharts = charts;
  }

  draw();
})();
