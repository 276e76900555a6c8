/* The lobby display: shows every call at once and announces each exactly once, across reconnects. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-config").textContent);
  const $ = (id) => document.getElementById(id);
  const RECENT = 8;
  const FRESH_MS = 60000;  // a call missed while offline is still announced if it is this recent
  const storeKey = `ptsp.display.${cfg.device}.announced`;
  const stored = sessionStorage.getItem(storeKey);
  const announced = new Set(stored ? JSON.parse(stored) : []);
  let firstSnapshot = stored === null;

  const state = { office: null, services: [], counters: [], recent: [], waiting: {}, latest: null };
  const socket = io({ auth: { token: cfg.token } });
  const live = PTSPLive.follow(socket, { onSnapshot: applySnapshot, onFact: applyFact });
  Announcer.chimeUrl = "chime.wav";
  if (cfg.espeak) {
    Announcer.speechUrl = (text) => `speech.wav?token=${encodeURIComponent(cfg.token)}&text=${encodeURIComponent(text)}`;
  }
  window.ptspDisplay = { socket, live, state, announced, announcer: Announcer, shown: [] };

  const prefixOf = (serviceId) => (state.services.find((s) => s.id === serviceId) || {}).prefix;
  const followed = (t) => !cfg.services.length || cfg.services.includes(prefixOf(t.service));
  const callKey = (t) => `${t.id}:${t.call_count}`;

  function remember(key) {
    announced.add(key);
    const keys = Array.from(announced).slice(-200);
    sessionStorage.setItem(storeKey, JSON.stringify(keys));
  }

  function applySnapshot(snap) {
    state.office = snap.office;
    state.services = snap.services;
    state.waiting = Object.fromEntries(snap.services.map((s) => [s.id, s.waiting]));
    state.counters = snap.counters;
    state.recent = snap.recent_calls.filter(followed).slice(0, RECENT);
    if (!state.latest && state.recent.length) state.latest = state.recent[0];
    const now = Date.now();
    // Calls made while this display was away: announce the fresh ones it never announced, skip the rest.
    snap.counters.map((c) => c.current).filter((t) => t && t.status === "called" && followed(t))
      .sort((a, b) => Date.parse(a.called_at) - Date.parse(b.called_at))
      .forEach((t) => {
        if (announced.has(callKey(t))) return;
        if (!firstSnapshot && now - Date.parse(t.called_at) < FRESH_MS) announce(t, t.announcement, snap.seq);
        else remember(callKey(t));
      });
    firstSnapshot = false;
    render();
  }

  function applyFact(name, fact) {
    if (fact.waiting) state.services.forEach((s) => { state.waiting[s.id] = fact.waiting[s.id] || 0; });
    if (name === "counter_changed") {
      state.counters = state.counters.map((c) => (c.id === fact.id ? { ...c, ...fact } : c));
    }
    const t = fact.ticket;
    if (t) {
      state.counters = state.counters.map((c) => {
        if (c.id === t.counter && ["called", "serving"].includes(t.status)) return { ...c, current: t };
        if (c.current && c.current.id === t.id) return { ...c, current: null };
        return c;
      });
    }
    if (name === "ticket_called" && followed(t) && !announced.has(callKey(t))) announce(t, fact.announcement, fact.seq);
    render();
  }

  function announce(t, text, seq) {
    remember(callKey(t));
    state.recent = [t, ...state.recent.filter((r) => r.id !== t.id)].slice(0, RECENT);
    state.latest = t;
    window.ptspDisplay.shown.push({ code: t.code, counter: t.counter_number, recall: t.call_count > 1, seq });
    Announcer.enqueue({ text: text || `Nomor antrian ${t.code}, silakan ke loket ${t.counter_number}`,
      onStart: () => flash(t) });
    socket.emit("call_ack", { ticket: t.id, seq }, () => {});
    flash(t);
  }

  function flash(t) {
    const box = $("latest");
    box.classList.remove("flash");
    void box.offsetWidth;  // restart the animation
    box.classList.add("flash");
    document.querySelectorAll(`.counter[data-id="${t.counter}"]`).forEach((el) => {
      el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash");
    });
  }

  function esc(s) { return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c])); }

  function render() {
    if (state.office) {
      $("office-name").textContent = state.office.name;
      const text = state.office.running_text ||
        `Selamat datang di ${state.office.name}. Ambil nomor antrian di kios dan perhatikan panggilan di layar ini.`;
      if ($("running-text").textContent !== text) $("running-text").textContent = text;
    }
    const l = state.latest;
    $("latest-code").textContent = l ? l.code : "—";
    $("latest-counter").textContent = l ? `Loket ${l.counter_number}` : "";
    $("counters").innerHTML = state.counters.filter((c) => !cfg.services.length ||
      c.services.some((id) => cfg.services.includes(prefixOf(id)))).map((c) => {
      const t = c.current && followed(c.current) ? c.current : null;
      const status = c.state === "closed" ? "tutup" : c.state === "break" ? "istirahat" : "";
      return `<div class="counter state-${c.state}" data-id="${c.id}"><div class="num">Loket ${c.number}</div>` +
        `<div class="cur">${t ? esc(t.code) : "—"}</div><div class="st">${status}</div></div>`;
    }).join("");
    $("recent").innerHTML = state.recent.map((t) =>
      `<li><span class="code">${esc(t.code)}</span><span>Loket ${t.counter_number}</span></li>`).join("") ||
      '<li class="empty">Belum ada panggilan</li>';
    $("waiting").innerHTML = state.services.filter((s) => !cfg.services.length || cfg.services.includes(s.prefix))
      .map((s) => `<li data-service="${s.id}"><span>${esc(s.prefix)} · ${esc(s.name.id)}</span>` +
        `<span class="count">${state.waiting[s.id] || 0}</span></li>`).join("");
  }

  function clock() {
    const tz = state.office ? state.office.timezone : "Asia/Jakarta";
    const now = new Date();
    $("time").textContent = new Intl.DateTimeFormat("id-ID", { timeZone: tz, hour: "2-digit", minute: "2-digit",
      second: "2-digit", hourCycle: "h23" }).format(now).replace(/\./g, ":") +
      " " + ({ "Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" }[tz] || "");
    $("date").textContent = new Intl.DateTimeFormat("id-ID", { timeZone: tz, weekday: "long", day: "numeric",
      month: "long", year: "numeric" }).format(now);
    $("sound").hidden = !Announcer.blocked;
  }
  setInterval(clock, 1000);
  clock();

  setInterval(() => { if (socket.connected && live.seq !== null) socket.emit("heartbeat", { seq: live.seq }, () => {}); }, 15000);
  socket.on("connect", () => { $("connection").className = "conn conn-on"; $("connection").title = "Terhubung"; });
  socket.on("disconnect", () => { $("connection").className = "conn conn-off"; $("connection").title = "Terputus"; });
  $("sound").addEventListener("click", () => { Announcer.blocked = false; Announcer.chime(); });
})();
