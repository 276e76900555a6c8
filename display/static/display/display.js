/* The lobby display: shows every call at once and announces each exactly once, across reconnects. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-config").textContent);
  const { t, number, time } = window.PTSPText;
  const $ = (id) => document.getElementById(id);
  const RECENT = 8;
  const FRESH_MS = 60000;  // a call missed while offline is still announced if it is this recent
  const storeKey = `ptsp.display.${cfg.device}.announced`;
  const stored = sessionStorage.getItem(storeKey);
  const announced = new Set(stored ? JSON.parse(stored) : []);
  let firstSnapshot = stored === null;

  const state = { office: null, services: [], counters: [], recent: [], waiting: {}, latest: null };
  const socket = io({ auth: { device: "display" } });  // recognised by the device cookie, no token in the page
  const live = PTSPLive.follow(socket, { onSnapshot: applySnapshot, onFact: applyFact });
  Announcer.chimeUrl = "chime.wav";
  if (cfg.espeak) {
    Announcer.speechUrl = (text) => `speech.wav?text=${encodeURIComponent(text)}`;
  }
  window.ptspDisplay = { socket, live, state, announced, announcer: Announcer, shown: [] };

  const prefixOf = (serviceId) => (state.services.find((s) => s.id === serviceId) || {}).prefix;
  // ?services=A,B (prefixes) and ?agencies=DUKCAPIL,… (a hall: the server's list of those agencies' service ids).
  const shownService = (id) => (!cfg.services.length || cfg.services.includes(prefixOf(id)))
    && (!cfg.hall || cfg.hall.includes(id));
  const followed = (t) => shownService(t.service);
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
    if (name === "services_changed") {  // an administrator changed the office's services or counters
      live.resync("services_changed");  // read the office again, as the counter screen does: no reload
      return;
    }
    if (fact.waiting) state.services.forEach((s) => { state.waiting[s.id] = fact.waiting[s.id] || 0; });
    if (name === "counter_changed") {
      state.counters = state.counters.map((c) => (c.id === fact.id ? { ...c, ...fact } : c));
    }
    if (name === "office_changed") state.office = { ...state.office, ...fact.settings };  // e.g. a new running text
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
    const spoken = text || cfg.announcement.replace("%(code)s", t.code).replace("%(number)s", t.counter_number);
    Announcer.enqueue({ text: spoken,
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

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  const counterLabel = (n) => t("counter", { number: number(n) });
  const serviceName = (s) => s.name[window.PTSPText.lang] || s.name.id;

  function render() {
    if (state.office) {
      $("office-name").textContent = state.office.name;
      const text = state.office.running_text || t("welcome", { office: state.office.name });
      if ($("running-text").textContent !== text) $("running-text").textContent = text;
    }
    const l = state.latest;
    $("latest-code").textContent = l ? l.code : "—";
    $("latest-counter").textContent = l ? counterLabel(l.counter_number) : "";
    $("latest-mark").hidden = !(l && l.appointment);  // a booked turn (docs/appointments.md)
    $("counters").replaceChildren(...state.counters.filter((c) => c.services.some(shownService)).map((c) => {
      const cur = c.current && followed(c.current) ? c.current : null;
      const status = c.state === "closed" ? t("state_closed") : c.state === "break" ? t("state_break") : "";
      const box = el("div", `counter state-${c.state}`);
      box.dataset.id = c.id;
      box.append(el("div", "num", counterLabel(c.number)), el("div", "cur", cur ? cur.code : "—"), el("div", "st", status));
      return box;
    }));
    const recent = state.recent.map((r) => {
      const item = el("li");
      item.append(el("span", "code", r.code), el("span", "", counterLabel(r.counter_number)));
      if (r.appointment) item.append(el("span", "appt", t("appointment")));
      return item;
    });
    $("recent").replaceChildren(...(recent.length ? recent : [el("li", "empty", t("no_calls"))]));
    $("waiting").replaceChildren(...state.services.filter((s) => shownService(s.id))
      .map((s) => {
        const item = el("li");
        item.dataset.service = s.id;
        item.append(el("span", "", `${s.prefix} · ${serviceName(s)}`), el("span", "count", number(state.waiting[s.id] || 0)));
        return item;
      }));
  }

  function clock() {
    const tz = state.office ? state.office.timezone : "Asia/Jakarta";
    const now = new Date();
    $("time").textContent = `${time(now, { timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit",
      hourCycle: "h23" })} ${{ "Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" }[tz] || ""}`;
    $("date").textContent = time(now, { timeZone: tz, weekday: "long", day: "numeric", month: "long", year: "numeric" });
    $("sound").hidden = !Announcer.blocked;
  }
  setInterval(clock, 1000);
  clock();

  setInterval(() => { if (socket.connected && live.seq !== null) socket.emit("heartbeat", { seq: live.seq }, () => {}); }, 15000);
  socket.on("connect", () => { $("connection").className = "conn conn-on"; $("connection").title = t("connected"); });
  socket.on("disconnect", () => { $("connection").className = "conn conn-off"; $("connection").title = t("disconnected"); });
  $("sound").addEventListener("click", () => { Announcer.blocked = false; Announcer.chime(); });
})();
