// Charts of the planning pages; the data comes from a JSON script tag written by the server.
(function () {
  const node = document.getElementById('plan-data');
  if (!node || typeof Chart === 'undefined') return;
  const data = JSON.parse(node.textContent);
  const t = window.PTSPText.t;
  Chart.defaults.locale = window.PTSPText.locale;
  const blue = '#0b5cad', orange = '#d9822b', green = '#2e8540', grey = '#8795a1';

  function needChart() {
    const canvas = document.getElementById('need-chart');
    if (!canvas) return;
    new Chart(canvas, {
      data: {
        labels: data.hours,
        datasets: [
          { type: 'bar', label: t("demand"), data: data.points, backgroundColor: 'rgba(11,92,173,.35)', yAxisID: 'points' },
          { type: 'line', label: t("clerks_needed"), data: data.needed, borderColor: orange, backgroundColor: orange, stepped: 'middle', yAxisID: 'clerks' },
          { type: 'line', label: t("clerks_planned"), data: data.planned, borderColor: green, backgroundColor: green, borderDash: [6, 4], stepped: 'middle', yAxisID: 'clerks' },
        ],
      },
      options: { animation: false, maintainAspectRatio: false, scales: {
        points: { position: 'left', beginAtZero: true, title: { display: true, text: t("points") } },
        clerks: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 }, title: { display: true, text: t("clerks") } },
      } },
    });
  }

  function levelChart() {
    const canvas = document.getElementById('level-chart');
    if (!canvas) return;
    const pct = (xs) => xs.map((x) => (x === null ? null : Math.round(x * 1000) / 10));
    new Chart(canvas, {
      type: 'bar',
      data: { labels: data.days, datasets: [
        { label: t("predicted"), data: pct(data.predicted), backgroundColor: blue },
        { label: t("simulated"), data: pct(data.simulated), backgroundColor: green },
      ] },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } } },
    });
  }

  function backtestChart() {
    const canvas = document.getElementById('backtest-chart');
    if (!canvas) return;
    new Chart(canvas, {
      type: 'line',
      data: { labels: data.backtest_labels, datasets: [
        { label: t("actual_wait"), data: data.backtest_actual, borderColor: orange, backgroundColor: orange, spanGaps: true },
        { label: t("model_wait"), data: data.backtest_model, borderColor: blue, backgroundColor: blue, spanGaps: true },
        { label: t("plan_wait"), data: data.backtest_plan, borderColor: grey, backgroundColor: grey, borderDash: [6, 4], spanGaps: true },
      ] },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true, title: { display: true, text: t("minutes") } } } },
    });
  }

  function hoursCharts() {
    document.querySelectorAll('canvas[data-hours-day]').forEach((canvas) => {
      const points = data[canvas.dataset.hoursDay] || [];
      new Chart(canvas, {
        type: 'scatter',
        data: { datasets: [
          { label: t("options"), data: points.filter((p) => !p.recommended), backgroundColor: grey },
          { label: t("recommended"), data: points.filter((p) => p.recommended), backgroundColor: green, pointRadius: 7 },
        ] },
        options: { animation: false, maintainAspectRatio: false, plugins: { tooltip: { callbacks: { label: (c) => `${c.raw.label}: ${c.raw.x} ${t("clerk_hours")}, ${c.raw.y} ${t("lost")}` } } },
          scales: { x: { title: { display: true, text: t("clerk_hours") } }, y: { beginAtZero: true, title: { display: true, text: t("residents_lost") } } } },
      });
    });
  }

  function calculatorChart() {
    const canvas = document.getElementById('calc-chart');
    if (!canvas) return;
    new Chart(canvas, {
      data: { labels: data.map((r) => r.clerks), datasets: [
        { type: 'bar', label: t("service_level"), data: data.map((r) => (r.level === null ? null : Math.round(r.level * 1000) / 10)), backgroundColor: blue, yAxisID: 'level' },
        { type: 'line', label: t("average_wait"), data: data.map((r) => r.wait), borderColor: orange, backgroundColor: orange, yAxisID: 'wait' },
      ] },
      options: { animation: false, maintainAspectRatio: false, scales: { level: { min: 0, max: 100, position: 'left' }, wait: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } } } },
    });
  }

  function drawAll() {
    Object.values(Chart.instances).forEach((chart) => chart.destroy());
    needChart(); levelChart(); backtestChart(); hoursCharts(); calculatorChart();
  }
  drawAll();
  window.ptspChartsReady = true;
})();
