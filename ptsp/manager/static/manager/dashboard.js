// Live dashboard: join the rooms of every office in scope and refetch the panels when a fact arrives.
// Each office's panel carries its seq; a fact at or below it is already shown and is ignored. Anything
// newer (or a gap) triggers one throttled refetch, so a missed fact can never leave the page stale.
(function () {
  "use strict";
  // The office choice submits its filter form (no inline onchange: the page's CSP runs script files only).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  const FACTS = window.PTSPFacts.numbered;  // from ptsp/facts.py via /live/facts.js
  const live = document.getElementById("live");
  const stateEl = document.getElementById("live-state");
  const updated = document.getElementById("updated");
  const seqs = {};
  let timer = null;
  let loading = false;
  let again = false;
  window.PTSPDashboard = { refreshes: 0, facts: 0 };

  function readSeqs() {
    live.querySelectorAll("[data-office]").forEach((el) => { seqs[el.dataset.office] = Number(el.dataset.seq); });
  }
  const t = window.PTSPText.t;
  function stamp() { updated.textContent = window.PTSPText.time(new Date(), { timeStyle: "medium", hour12: false }); }
  function setState(state, key) {
    stateEl.dataset.state = state;
    stateEl.textContent = t(key);
  }

  async function refresh() {
    if (loading) { again = true; return; }
    loading = true;
    const started = performance.now();
    try {
      const response = await fetch(live.dataset.url, { credentials: "same-origin" });
      if (response.ok && !response.redirected) {
        live.innerHTML = await response.text();
        readSeqs();
        stamp();
        window.PTSPDashboard.refreshes += 1;
      } else if (response.status === 401 || response.status === 403 || response.redirected) {
        setState("error", "session_ended");
      }
    } catch (err) {
      setState("error", "load_failed");
    } finally {
      loading = false;
      lastMs = performance.now() - started;
      if (again) { again = false; schedule(); }
    }
  }
  // Throttle, not debounce: a refresh already pending will show this fact too, so a steady stream of
  // facts (a city's offices produce several a second) cannot postpone it forever. The wait is at least
  // 250 ms and twice the last refresh's duration, so a dashboard over many offices, whose refresh takes
  // longer, never keeps the server busy more than a third of the time.
  let lastMs = 0;
  function schedule() {
    if (timer !== null) return;
    timer = setTimeout(() => { timer = null; refresh(); }, Math.max(250, 2 * lastMs));
  }

  readSeqs();
  stamp();
  const socket = io({ auth: { scope: "dashboard" } });
  socket.on("dashboard_ready", () => { setState("live", "live"); schedule(); });
  socket.on("disconnect", () => setState("offline", "disconnected"));
  socket.on("connect_error", () => setState("offline", "connect_failed"));
  FACTS.forEach((name) => socket.on(name, (fact) => {
    const known = seqs[fact.office];
    if (known !== undefined && typeof fact.seq === "number" && fact.seq <= known) return;
    window.PTSPDashboard.facts += 1;
    schedule();
  }));
  // Waiting times grow without any fact: refresh every 30 s as well.
  setInterval(refresh, 30000);
})();
