/* The clerk's counter screen: commands over the socket with acknowledgements and request ids. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-config").textContent);
  const $ = (id) => document.getElementById(id);
  const { t, number } = window.PTSPText;
  const lang = window.PTSPText.lang;
  const PRIORITY = { elderly: t("prio_elderly"), disabled: t("prio_disabled"), pregnant: t("prio_pregnant") };

  const state = {
    office: null, services: [], counters: [], counterId: Number(localStorage.getItem("ptsp.counter")) || null,
    current: null, waiting: {}, lines: {}, lineLengths: {}, figures: null, picked: null,
  };
  const pending = new Map();
  const socket = io({ auth: { office: cfg.office } });
  const live = PTSPLive.follow(socket, { onSnapshot: applySnapshot, onFact: applyFact });
  window.ptspCounter = { socket, state, live, send, refresh: () => refresh() };

  function myCounter() { return state.counters.find((c) => c.id === state.counterId) || null; }

  function applySnapshot(snap) {
    state.office = snap.office;
    state.services = snap.services;
    state.waiting = Object.fromEntries(snap.services.map((s) => [s.id, s.waiting]));
    state.counters = snap.counters;
    if (!myCounter()) {
      const mine = snap.counters.find((c) => c.staff === cfg.staff && c.state !== "closed");
      state.counterId = mine ? mine.id : (snap.counters[0] || {}).id || null;
    }
    const c = myCounter();
    state.current = c && c.current ? c.current : null;
    render();
    refresh();
  }

  function applyFact(name, fact) {
    if (name === "services_changed") {  // an administrator changed the office's services or counters
      socket.timeout(5000).emit("resync", {}, (err, snap) => { if (!err && snap && snap.counters) applySnapshot(snap); });
      return;
    }
    if (fact.waiting) {
      state.services.forEach((s) => { state.waiting[s.id] = fact.waiting[s.id] || 0; });
    }
    if (name === "counter_changed") {
      state.counters = state.counters.map((c) => (c.id === fact.id ? { ...c, ...fact } : c));
    }
    const ticket = fact.ticket;
    const mine = (ticket && (ticket.counter === state.counterId || ticket.clerk === cfg.staff
      || (state.current && state.current.id === ticket.id)))
      || (name === "counter_changed" && fact.id === state.counterId);
    if (ticket && ticket.counter === state.counterId && (ticket.status === "called" || ticket.status === "serving")) {
      state.current = ticket;
    } else if (ticket && state.current && state.current.id === ticket.id) {
      state.current = null;
    }
    render();
    refresh(!!mine);
  }

  // Throttled, not debounced: a pending refresh also covers facts that arrive meanwhile, so a busy
  // office's steady stream of facts cannot postpone it indefinitely. A fact about another counter asks only for
  // the office's lines ("lines", the same answer for every screen); the clerk's own figures ("state") are asked
  // after the clerk's own commands and facts, on a new snapshot, and at least once a minute for what moves them
  // from elsewhere (a resident's rating, a supervisor's decision, the standing).
  const FIGURES_EVERY_MS = 60000;
  let refreshTimer = null;
  let figuresWanted = true;
  let figuresAt = 0;
  function refresh(withFigures = true) {
    if (withFigures) figuresWanted = true;
    if (refreshTimer !== null) return;
    refreshTimer = setTimeout(async () => {
      refreshTimer = null;
      const full = figuresWanted || Date.now() - figuresAt >= FIGURES_EVERY_MS;
      figuresWanted = false;
      let data = null;
      try {
        const response = await fetch(full ? "state" : "lines", { credentials: "same-origin" });
        if (response.ok) data = await response.json();
      } catch (_err) { /* offline for a moment: the next fact or snapshot asks again */ }
      if (data === null) { if (full) figuresWanted = true; return; }
      state.lines = data.waiting;  // the first tickets of each line; `waiting_total`, each line's length
      state.lineLengths = data.waiting_total || {};
      if (full) { state.figures = data.figures; figuresAt = Date.now(); }
      state.parked = data.parked || [];  // parked tickets and missed calls: park.js (docs/queue.md)
      state.missed = data.missed || [];
      state.reinsertPlaces = data.reinsert_places || 0;
      render();
    }, 100);
  }

  function send(action, extra, key) {
    const data = { action, ...extra };
    key = key || action;
    if (pending.has(key)) return pending.get(key);  // a double click re-joins the command in flight
    data.request_id = PTSPLive.uuid4();
    const attempt = (tries) => new Promise((resolve) => {
      socket.timeout(5000).emit("command", data, (err, answer) => {
        if (err && tries > 1) resolve(attempt(tries - 1));  // same request_id: never done twice
        else resolve(err ? { error: "timeout", message: t("no_answer") } : answer);
      });
    });
    const promise = attempt(3).then((answer) => {
      pending.delete(key);
      handleAnswer(action, answer);
      render();
      return answer;
    });
    pending.set(key, promise);
    render();
    return promise;
  }

  function handleAnswer(action, answer) {
    if (answer.error) { say(answer.message, true); return; }
    if (answer.status === 204) { say(t("nobody_waiting")); return; }
    if (answer.counter) {
      state.counters = state.counters.map((c) => (c.id === answer.counter.id ? { ...c, ...answer.counter } : c));
    }
    if (answer.completed) {  // complete_and_call_next: the completed ticket first, then the one it called
      settle(answer.completed);
      resetOutcomeForNewTicket(null);  // even when a next step brings the same ticket straight back
    }
    settle(answer.ticket);
    if (action === "call_ticket") { state.picked = null; $("call-reason").value = ""; }
    if (action === "transfer") $("transfer-reason").value = "";
    // With nobody waiting the completion stands and nobody is called: say so, or the clerk may think it failed.
    const calledNobody = action === "complete_and_call_next" && !answer.ticket;
    say(calledNobody ? t("done_nobody_waiting", { code: answer.completed.code }) : "");
    refresh();
  }

  function settle(ticket) {
    if (ticket && ticket.counter === state.counterId && ["called", "serving"].includes(ticket.status)) {
      state.current = ticket;
    } else if (ticket && state.current && state.current.id === ticket.id) {
      state.current = null;  // parked, finished or moved; a command about another ticket leaves the current one
    }
  }

  function say(text, isError) {
    $("message").textContent = text || "";
    $("message").className = isError ? "message error" : "message";
  }

  // Office data (service, counter and staff names) goes into markup below: escape it, never trust it.
  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  const esc = (value) => String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch]);

  function serviceName(id) {
    const s = state.services.find((x) => x.id === id);
    return s ? `${s.prefix} · ${s.name[lang] || s.name.id}` : String(id);
  }

  function render() {
    const c = myCounter();
    const select = $("counter-select");
    const options = state.counters.map((x) => `<option value="${esc(x.id)}">${esc(x.number)}${x.name ? " " + esc(x.name) : ""}` +
      `${x.staff_name && x.staff !== cfg.staff ? " (" + esc(x.staff_name) + ")" : ""}</option>`).join("");
    if (select.dataset.options !== options) { select.innerHTML = options; select.dataset.options = options; }
    if (c) select.value = String(c.id);
    $("office-name").textContent = state.office ? state.office.name : "PTSP";
    const st = c ? c.state : "closed";
    const names = { open: t("state_open"), break: t("state_break"), closed: t("state_closed") };
    $("counter-state").textContent = names[st] || st;
    $("counter-state").className = `badge badge-${st}`;
    const cur = state.current;
    resetOutcomeForNewTicket(cur);
    $("current-code").textContent = cur ? cur.code : "—";
    $("current-info").textContent = cur
      ? `${serviceName(cur.service)} · ${cur.status === "called" ? t("called_times", { count: number(cur.call_count) })
        : t("serving")}${PRIORITY[cur.priority] ? " · " + PRIORITY[cur.priority] : ""}${cur.urgent ? " · " + t("urgent_approved") : ""}`
      : t("no_ticket");
    const busy = (k) => pending.has(k);
    const open = st === "open";
    const own = c && c.staff === cfg.staff;
    $("open").disabled = !c || (open && own) || busy("open");
    $("break").disabled = !own || st !== "open" || !!cur || busy("break");
    $("close").disabled = !own || !!cur || busy("close");
    $("call-next").disabled = !own || !open || !!cur || busy("call_next");
    $("recall").disabled = !cur || cur.status !== "called" || busy("recall");
    $("start").disabled = !cur || cur.status !== "called" || busy("start");
    $("no-show").disabled = !cur || cur.status !== "called" || busy("no_show");
    const finishing = busy("complete") || busy("complete_and_call_next");  // one of the two, never both at once
    $("complete").disabled = !cur || cur.status !== "serving" || finishing;
    $("complete-next").disabled = !own || !open || !cur || cur.status !== "serving" || finishing;
    $("transfer").disabled = !cur || busy("transfer");
    $("call-ticket").disabled = !own || !open || !!cur || !state.picked || busy("call_ticket");
    const targets = state.services.filter((s) => !cur || s.id !== cur.service)
      .map((s) => `<option value="${esc(s.id)}">${esc(serviceName(s.id))}</option>`).join("");
    if ($("transfer-service").dataset.options !== targets) {
      $("transfer-service").innerHTML = targets;
      $("transfer-service").dataset.options = targets;
    }
    renderLines(c);
    const f = state.figures;
    if (f) {
      $("fig-served").textContent = number(f.served);
      $("fig-mean").textContent = f.mean_minutes === null ? "–" : t("minutes", { minutes: number(f.mean_minutes) });
      $("fig-noshow").textContent = number(f.no_show);
      $("fig-points").textContent = number(f.points) + (f.held ? ` (${t("held", { points: number(f.held) })})` : "");
      const ONE_DECIMAL = { maximumFractionDigits: 1 };
      const rankText = (r) => !r ? "–" : r.band
        ? t("band", { band: number(r.band), of: number(r.bands), rate: number(r.per_hour, ONE_DECIMAL),
          low: number(r.per_hour_low, ONE_DECIMAL), high: number(r.per_hour_high, ONE_DECIMAL) })
        : t("rank_not_yet", { count: number(r.min_transactions), hours: number(r.min_hours) });
      $("fig-rank-today").textContent = rankText(f.standing && f.standing.today);
      $("fig-rank-week").textContent = rankText(f.standing && f.standing.week);
    }
    $("picked").textContent = state.picked ? state.picked.code : "–";
    tick();
  }

  // The outcome picked (or set by a referral) belongs to one ticket: each new current ticket starts
  // from the default, or a later ticket would be stored as, say, "dirujuk".
  let outcomeTicket = null;
  function resetOutcomeForNewTicket(ticket) {
    const id = ticket ? ticket.id : null;
    if (id === outcomeTicket) return;
    outcomeTicket = id;
    const select = $("outcome");
    const initial = Array.from(select.options).find((o) => o.defaultSelected) || select.options[0];
    select.value = initial.value;
  }

  // The lines are updated in place (vendor/morphdom.min.js), each service's line and each ticket keeping its
  // element while it stays: they redraw on every fact of the office, and a ticket button replaced between the
  // clerk's press and release would lose the click that picks it.
  const lineKey = (node) => (node.dataset && node.dataset.key) || undefined;
  function renderLines(c) {
    const mine = new Set(c ? c.services : []);
    const html = state.services.map((s) => {
      const line = state.lines[s.id] || [];
      const items = line.slice(0, 12).map((x) => `<li data-key="ticket-${esc(x.id)}"><button class="ticket${x.priority !== "regular" ? " prio" : ""}` +
        `${x.urgent ? ` urgent-${esc(x.urgent)}` : ""}` +
        `${state.picked && state.picked.id === x.id ? " picked" : ""}" data-id="${esc(x.id)}" data-code="${esc(x.code)}"` +
        ` title="${esc(PRIORITY[x.priority] || "")}">${esc(x.code)}${x.priority !== "regular" ? " ★" : ""}` +
        `${x.transferred ? " ↪" : ""}${x.returned ? " ⟲" : ""}${x.appointment ? ` <span class="appt${x.ready ? "" : " early"}">` +
        `${esc(t("appointment", { time: x.appointment }))}</span>` : ""}` +
        `${x.urgent ? ` <span class="urg">${esc(t(`urgent_${x.urgent}`))}</span>` : ""}</button></li>`).join("");
      const length = state.lineLengths[s.id] === undefined ? line.length : state.lineLengths[s.id];
      const more = length > 12 ? `<li class="more">+${length - 12}</li>` : "";
      return `<div class="line${mine.has(s.id) ? " mine" : ""}" data-service="${esc(s.id)}" data-key="line-${esc(s.id)}">` +
        `<h3>${esc(serviceName(s.id))} <span class="count">${state.waiting[s.id] || 0}</span></h3><ul>${items}${more}</ul></div>`;
    }).join("");
    window.morphdom($("lines"), `<div>${html}</div>`, { childrenOnly: true, getNodeKey: lineKey });
  }

  function tick() {
    const cur = state.current;
    const since = cur && (cur.started_at || cur.called_at);
    if (!since) { $("current-timer").textContent = ""; return; }
    const secs = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
    const mm = String(Math.floor(secs / 60)).padStart(2, "0");
    const ss = String(secs % 60).padStart(2, "0");
    $("current-timer").textContent = t(cur.started_at ? "timer_serving" : "timer_called", { time: `${mm}:${ss}` });
  }
  setInterval(tick, 1000);

  function counterCmd(action, extra) { return send(action, { counter: state.counterId, ...extra }); }
  function ticketCmd(action, extra) { return state.current && send(action, { ticket: state.current.id, ...extra }); }
  const actions = {
    "open": () => counterCmd("open"),
    "break": () => {
      const reason = $("break-reason").value.trim();
      if (!reason) { say(t("break_reason_needed"), true); return; }
      counterCmd("break", { reason });
    },
    "close": () => counterCmd("close"),
    "call-next": () => counterCmd("call_next"),
    "recall": () => counterCmd("recall"),
    "start": () => ticketCmd("start"),
    "no-show": () => ticketCmd("no_show"),
    "complete": () => ticketCmd("complete", { outcome: $("outcome").value }),
    // One command, one transaction: the completion with its outcome, then the call (docs/counter.md).
    "complete-next": () => ticketCmd("complete_and_call_next",
      { counter: state.counterId, outcome: $("outcome").value }),
    "transfer": () => {
      const reason = $("transfer-reason").value.trim();
      if (!reason) { say(t("transfer_reason_needed"), true); return; }
      ticketCmd("transfer", { service: Number($("transfer-service").value), reason });
    },
    "call-ticket": () => {
      const reason = $("call-reason").value.trim();
      if (!reason) { say(t("call_reason_needed"), true); return; }
      counterCmd("call_ticket", { ticket: state.picked.id, reason });
    },
  };
  Object.entries(actions).forEach(([id, fn]) => $(id).addEventListener("click", fn));
  $("counter-select").addEventListener("change", (e) => {
    state.counterId = Number(e.target.value);
    localStorage.setItem("ptsp.counter", String(state.counterId));
    const c = myCounter();
    state.current = c && c.current && c.current.counter === c.id ? c.current : null;
    render();
  });
  $("lines").addEventListener("click", (e) => {
    const b = e.target.closest("button.ticket");
    if (!b) return;
    state.picked = { id: Number(b.dataset.id), code: b.dataset.code };
    render();
  });
  const KEYS = {
    n: "call-next", r: "recall", s: "start", d: "complete", c: "complete-next", x: "no-show", t: "transfer",
  };
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || ["INPUT", "SELECT", "TEXTAREA"].includes(e.target.tagName)) return;
    const id = KEYS[e.key.toLowerCase()];
    if (id && !$(id).disabled) { e.preventDefault(); $(id).click(); }
  });

  function connection(text, ok) {
    $("connection").textContent = text;
    $("connection").className = `conn ${ok ? "conn-on" : "conn-off"}`;
  }
  socket.on("connect", () => connection(t("connected"), true));
  // A session that has ended (logout elsewhere, deactivation, password reset) is refused by the socket; the
  // page then asks the server once whether it is still logged in and, if not, leaves for the login page.
  function checkSession() {
    fetch("state", { credentials: "same-origin" })
      .then((r) => { if (r.status === 401) location.assign(new URL("login", location.href).href); })
      .catch(() => {});
  }
  socket.on("disconnect", () => { connection(t("disconnected")); checkSession(); });
  socket.on("connect_error", () => { connection(t("connect_failed")); checkSession(); });
})();
