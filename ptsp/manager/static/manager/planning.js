// Charts of the planning pages; the data comes from a JSON script tag written by the server.
(function () {
  const node = document.getElementById('plan-data');
  if (!node || typeof Chart === 'undefined') return;
  const data = JSON.parse(node.textContent);
  const en = () => (window.ptspLang && window.ptspLang() === 'en');
  const label = (id, english) => (en() ? english : id);
  const blue = '#0b5cad', orange = '#d9822b', green = '#2e8540', grey = '#8795a1';

  function needChart() {
    const canvas = document.getElementById('need-chart');
    if (!canvas) return;
    new Chart(canvas, {
      data: {
        labels: data.hours,
        datasets: [
          { type: 'bar', label: label('Beban (poin)', 'Demand (points)'), data: data.points, backgroundColor: 'rgba(11,92,173,.35)', yAxisID: 'points' },
          { type: 'line', label: label('Petugas perlu', 'Clerks needed'), data: data.needed, borderColor: orange, backgroundColor: orange, stepped: 'middle', yAxisID: 'clerks' },
          { type: 'line', label: label('Petugas dijadwalkan', 'Clerks planned'), data: data.planned, borderColor: green, backgroundColor: green, borderDash: [6, 4], stepped: 'middle', yAxisID: 'clerks' },
        ],
      },
      options: { animation: false, maintainAspectRatio: false, scales: {
        points: { position: 'left', beginAtZero: true, title: { display: true, text: label('poin', 'points') } },
        clerks: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 }, title: { display: true, text: label('petugas', 'clerks') } },
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
        { label: label('Prediksi (model antrian)', 'Predicted (queueing model)'), data: pct(data.predicted), backgroundColor: blue },
        { label: label('Simulasi (ciw)', 'Simulated (ciw)'), data: pct(data.simulated), backgroundColor: green },
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
        { label: label('Tunggu prediksi (menit)', 'Predicted wait (min)'), data: data.backtest_predicted, borderColor: blue, backgroundColor: blue },
        { label: label('Tunggu nyata (menit)', 'Actual wait (min)'), data: data.backtest_actual, borderColor: orange, backgroundColor: orange, spanGaps: true },
      ] },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    });
  }

  function hoursCharts() {
    document.querySelectorAll('canvas[data-hours-day]').forEach((canvas) => {
      const points = data[canvas.dataset.hoursDay] || [];
      new Chart(canvas, {
        type: 'scatter',
        data: { datasets: [
          { label: label('Pilihan', 'Options'), data: points.filter((p) => !p.recommended), backgroundColor: grey },
          { label: label('Disarankan', 'Recommended'), data: points.filter((p) => p.recommended), backgroundColor: green, pointRadius: 7 },
        ] },
        options: { animation: false, maintainAspectRatio: false, plugins: { tooltip: { callbacks: { label: (c) => `${c.raw.label}: ${c.raw.x} ${label('jam-petugas', 'clerk-hours')}, ${c.raw.y} ${label('hilang', 'lost')}` } } },
          scales: { x: { title: { display: true, text: label('jam-petugas', 'clerk-hours') } }, y: { beginAtZero: true, title: { display: true, text: label('warga hilang', 'residents lost') } } } },
      });
    });
  }

  function calculatorChart() {
    const canvas = document.getElementById('calc-chart');
    if (!canvas) return;
    new Chart(canvas, {
      data: { labels: data.map((r) => r.clerks), datasets: [
        { type: 'bar', label: label('Tingkat layanan %', 'Service level %'), data: data.map((r) => (r.level === null ? null : Math.round(r.level * 1000) / 10)), backgroundColor: blue, yAxisID: 'level' },
        { type: 'line', label: label('Rata-rata tunggu (menit)', 'Average wait (min)'), data: data.map((r) => r.wait), borderColor: orange, backgroundColor: orange, yAxisID: 'wait' },
      ] },
      options: { animation: false, maintainAspectRatio: false, scales: { level: { min: 0, max: 100, position: 'left' }, wait: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } } } },
    });
  }

  function drawAll() {
    Object.values(Chart.instances).forEach((chart) => chart.destroy());
    needChart(); levelChart(); backtestChart(); hoursCharts(); calculatorChart();
  }
  drawAll();
  // Redraw after the ID/EN toggle (lang.js switches the language on the same click).
  document.addEventListener('click', (event) => {
    if (event.target.closest('[data-lang-toggle]')) setTimeout(drawAll, 0);
  });
  window.ptspChartsReady = true;
})();
