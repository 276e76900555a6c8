/* The resident's ticket page: live place in line, and "go to counter N" with sound and vibration.
   After sleep, wake or a reconnect it asks for its ticket again, so it always catches up. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-config").textContent);
  const $ = (id) => document.getElementById(id);
  const alertKey = `ptsp.status.${cfg.token}.alerted`;
  const status = { state: cfg.state, alerts: [], fetches: 0, sound: false, socket: null };
  window.ptspStatus = status;

  const { t, number } = window.PTSPText;

  // One element with its class, text and children: the panel is built from nodes, never from HTML strings.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => { node[key] = value; });
    node.append(...children);
    return node;
  }

  function panelFor(s) {
    if (s.status === "waiting") {
      const wait = s.estimated_wait_minutes === null ? t("wait_unknown")
        : s.estimated_wait_minutes === 0 ? t("wait_now") : t("wait_minutes", { minutes: number(s.estimated_wait_minutes) });
      return [el("h1", {}, t("waiting_title")),
        el("div", { className: "facts" },
          el("div", {}, el("b", { id: "position" }, number(s.position)), t("your_place")),
          el("div", {}, el("b", { id: "ahead" }, number(s.people_ahead)), t("people_ahead"))),
        el("p", {}, `${t("estimated")} `, el("b", { id: "wait" }, wait)),
        el("p", {}, t("stay_near"))];
    }
    const counter = number(s.counter_number);
    if (s.status === "called") {
      return [el("h1", {}, t("called_title")),
        el("div", { className: "counter", id: "called-counter" }, t("counter", { number: counter })),
        el("p", {}, t("go_now"))];
    }
    if (s.status === "serving") return [el("h1", {}, t("serving", { number: counter }))];
    if (s.status === "parked") {
      return [el("h1", {}, t("parked_title")),
        el("div", { className: "counter", id: "parked-until" }, t("parked_text", { number: counter, time: s.parked_until })),
        el("p", {}, t("parked_hint"))];
    }
    if (s.status === "done") {
      return [el("h1", {}, t("done")), el("a", { className: "rate", id: "rate", href: s.rating_url }, t("rate"))];
    }
    if (s.status === "no_show") return [el("h1", {}, t("no_show_title")), el("p", {}, t("no_show_text"))];
    if (s.status === "cancelled") return [el("h1", {}, t("cancelled"))];
    return [el("h1", {}, t("expired_title")), el("p", {}, t("expired_text"))];
  }

  // A visit of several steps (docs/steps.md): each service in order, marked done, current or next. The ticket
  // keeps its number through the visit; the service under the number follows the current step.
  function renderSteps(s) {
    const lang = document.documentElement.lang;
    const name = (n) => (n && (n[lang] || n.id)) || "?";
    if (s.service_name) $("service").textContent = name(s.service_name);
    const steps = s.steps || [];
    $("steps").hidden = steps.length === 0;
    const current = steps.findIndex((step) => step.state === "current");
    $("step-of").textContent = current < 0 ? "" : t("step_of", { n: number(current + 1), total: number(steps.length) });
    $("step-list").replaceChildren(...steps.map((step) => el("li", { className: `step step-${step.state}` },
      el("span", { className: "step-name" }, name(step.service)),
      el("span", { className: "step-state" }, t(`step_${step.state}`)))));
  }

  function render() {
    const s = status.state;
    renderSteps(s);
    const panel = $("panel");
    if (s.status !== "called") panel.classList.remove("alert");
    panel.dataset.status = s.status;
    panel.replaceChildren(...panelFor(s));
  }

  function alertCalled() {
    const s = status.state;
    const key = `${s.id}:${s.counter_number}:${s.call_count || 0}`;
    if (sessionStorage.getItem(alertKey) === key) return;
    sessionStorage.setItem(alertKey, key);
    const entry = { counter: s.counter_number, at: Date.now(), sound: "off", vibrate: false };
    if (navigator.vibrate) entry.vibrate = navigator.vibrate([400, 200, 400, 200, 400]);
    if (status.sound) {
      const audio = new Audio(cfg.chime);
      entry.sound = "playing";
      audio.play().then(() => { entry.sound = "played"; }, () => { entry.sound = "blocked"; });
    }
    status.alerts.push(entry);
    const panel = $("panel");
    panel.classList.remove("alert");
    void panel.offsetWidth;  // restart the animation
    panel.classList.add("alert");
  }

  function apply(next) {
    const before = status.state;
    status.state = next;
    render();
    const newCall = next.status === "called" && (before.status !== "called" || before.call_count !== next.call_count ||
      before.counter_number !== next.counter_number);
    if (newCall || (next.status === "called" && !status.alerts.length)) alertCalled();
  }

  async function refetch() {
    try {
      const response = await fetch(`${encodeURIComponent(cfg.token)}/state`, { signal: AbortSignal.timeout(8000) });
      if (response.ok) { status.fetches += 1; apply(await response.json()); }
    } catch (e) { /* offline: the socket reconnects and we ask again */ }
  }

  // The server sends a status page two facts (ptsp/facts.py, docs/security.md "Residents' privacy"):
  // `line_moved {services}` when a service's line may have moved, and `ticket_changed {ticket}` about its
  // own ticket only. A line of another service cannot move this ticket, so it is ignored. The refetch
  // waits a random 0.3-1.8 s, so that hundreds of phones in a busy office do not all ask the server at the
  // same instant after each call; a pending refetch covers facts arriving meanwhile (throttled, not
  // debounced, so a steady stream of facts cannot postpone it).
  let timer = null;
  const soon = () => {
    if (timer !== null) return;
    timer = setTimeout(() => { timer = null; refetch(); }, 300 + Math.random() * 1500);
  };
  const socket = io({ auth: { ticket: cfg.token } });
  status.socket = socket;
  socket.on("connect", refetch);  // also after every reconnect: catch up on whatever was missed
  socket.on("line_moved", (fact) => {
    if ((fact.services || []).includes(status.state.service)) soon();
  });
  socket.on("ticket_changed", (fact) => {
    const t = fact.ticket;
    if (!t || t.id !== status.state.id) return;
    if (t.status === "called") {
      apply({ ...status.state, status: "called", counter_number: t.counter_number, call_count: t.call_count,
        position: null, people_ahead: 0 });
    }
    soon();
  });
  // A ticket that ended on a past day gets no live feed: the page keeps its final state, without retrying.
  socket.on("connect_error", (err) => {
    if (err && err.data && err.data.error === "ticket_closed") {
      socket.disconnect();
      status.closed = true;
      $("connection").hidden = true;
    }
  });
  const conn = $("connection");
  socket.on("connect", () => { conn.className = "conn conn-on"; conn.textContent = `● ${t("live")}`; });
  socket.on("disconnect", () => { conn.className = "conn conn-off"; conn.textContent = `● ${t("connecting")}`; });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refetch(); });
  window.addEventListener("online", refetch);
  setInterval(refetch, 60000);

  $("sound").addEventListener("click", () => {
    status.sound = true;
    $("sound").classList.add("on");
    new Audio(cfg.chime).play().catch(() => {});  // unlocks audio on phones that need a tap first
    if (navigator.vibrate) navigator.vibrate(100);
  });
  render();
  if (status.state.status === "called") alertCalled();
})();
