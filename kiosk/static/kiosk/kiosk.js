/* The kiosk: list open services, issue a ticket on a tap, show it (and how printing went), return to start.
   Every request is bounded, so a lost server shows a plain message instead of a spinner. Text comes from the
   catalogue (PTSPText); a resident who switched language leaves the kiosk in it only until the ticket is
   issued or the kiosk stands idle: then it goes back to the office's language for the next resident. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-config").textContent);
  const { t, number, time } = window.PTSPText;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const clampSeconds = (value, fallback) => Math.min(120, Math.max(2, parseInt(value, 10) || fallback));
  const returnSeconds = clampSeconds(params.get("return"), cfg.return_seconds);
  const idleSeconds = clampSeconds(params.get("idle"), cfg.idle_seconds);
  const REQUEST_MS = 8000;  // longer than the print timeout (3 s), shorter than a resident's patience
  const state = { screen: "loading", data: null, priority: null, ticket: null, offline: false, page: 0, pages: 1 };
  window.ptspKiosk = { state, refresh, issue, layout };

  const foreign = cfg.language !== cfg.default_language;
  const homeLanguage = () => { location.href = cfg.default_language_url; };

  // "09:30" from the server, written the way the page's language writes a time (09.30 in Indonesian).
  const clockText = (hhmm) => {
    const [h, m] = String(hhmm).split(":").map(Number);
    return time(new Date(Date.UTC(2000, 0, 1, h, m)), { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
  };
  const waitText = (m) => (m === null || m === undefined ? t("wait_unknown")
    : m === 0 ? t("wait_now") : t("wait_minutes", { minutes: number(m) }));
  const serviceName = (name) => name[cfg.language] || name[cfg.default_language] || name.id;
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  async function call(path, options) {
    const response = await window.ptspFetch(path, {
      ...options,
      headers: { "Content-Type": "application/json" },  // the kiosk's device cookie says who is asking
      signal: AbortSignal.timeout(REQUEST_MS),
    });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    return { status: response.status, body };
  }

  function show(screen) {
    state.screen = screen;
    ["start", "ticket", "closed", "holiday"].forEach((v) => { $(v).hidden = v !== screen; });
    document.body.className = `screen-${screen}`;
    if (screen === "start") layout();
  }

  function showClosed(kind, data) {
    const texts = {
      closed: [t("closed_title"), data && data.opens_at
        ? t("closed_hours", { opens: clockText(data.opens_at), closes: clockText(data.closes_at), zone: data.office.zone })
        : t("closed_today")],
      cutoff: [t("cutoff_title"), t("cutoff_text", { time: data && data.last_ticket_at ? clockText(data.last_ticket_at) : "" })],
      quota: [t("quota_title"), t("quota_text")],
      offline: [t("offline_title"), t("offline_text")],
    };
    $("closed-title").textContent = texts[kind][0];
    $("closed-text").textContent = texts[kind][1];
    $("closed").dataset.kind = kind;
    show("closed");
  }

  function card(s) {
    const button = el("button", "svc");
    button.type = "button";
    button.dataset.service = s.id;
    button.disabled = !s.available;
    button.append(el("span", "prefix", s.prefix), el("span", "name", serviceName(s.name)));
    const info = el("span", "info");
    if (s.available) {
      info.append(el("span", "waiting", t("waiting", { count: number(s.waiting) })), " ");
      const wait = el("span", "wait", `${t("estimated")} `);
      wait.append(el("b", "", waitText(s.estimated_wait_minutes)));
      info.append(wait);
    } else {
      info.textContent = t("quota_used");
    }
    button.append(info);
    if (window.ptspStandard) button.append(window.ptspStandard.trigger(s, serviceName(s.name)));  // standard.js
    return button;
  }

  function render() {
    const data = state.data;
    $("office-name").textContent = data.office.name;
    $("clock").textContent = clockText(data.office.local_time);
    if (window.ptspStandard) window.ptspStandard.header(data.services);  // standard.js
    if (state.screen === "ticket") return;
    if (data.closed_day && window.PTSPKioskHoliday) { window.PTSPKioskHoliday.fill(data.closed_day); show("holiday"); return; }
    if (data.state !== "open") { showClosed(data.state, data); return; }
    if (data.services.length && data.services.every((s) => !s.available)) { showClosed("quota", data); return; }
    $("services").replaceChildren(...data.services.map(card));
    show("start");
  }

  // Service cards: as many columns as the screen needs (portrait 1–2, landscape 3–4), rows no lower than a
  // finger-friendly card, and pages (the ‹ › buttons, or a swipe) when even that does not hold them all.
  const MIN_CARD = 190;
  const MAX_CARD = 300;
  function layout() {
    const box = $("services");
    const cards = Array.from(box.children);
    if (state.screen !== "start" || !cards.length) return;
    const portrait = window.innerHeight > window.innerWidth;
    const gap = parseFloat(getComputedStyle(box).rowGap) || 0;
    const n = cards.length;
    const plan = (height) => {
      const rows = Math.max(1, Math.floor((height + gap) / (MIN_CARD + gap)));
      let cols = portrait ? 1 : Math.min(n, 3);
      const most = portrait ? 2 : 4;
      while (cols < most && Math.ceil(n / cols) > rows) cols += 1;
      return { rows: Math.min(rows, Math.ceil(n / cols)), cols, fits: Math.ceil(n / cols) <= rows };
    };
    $("pager").hidden = true;
    box.style.height = "";
    let room = box.clientHeight;
    let p = plan(room);
    if (!p.fits) {
      $("pager").hidden = false;
      room = box.clientHeight;
      p = plan(room);
    }
    const perPage = p.rows * p.cols;
    state.pages = Math.max(1, Math.ceil(n / perPage));
    state.page = Math.min(state.page, state.pages - 1);
    const cardHeight = Math.min(MAX_CARD, (room - gap * (p.rows - 1)) / p.rows);
    box.style.setProperty("--cols", p.cols);
    box.style.setProperty("--card-h", `${Math.floor(cardHeight)}px`);
    box.classList.toggle("compact", portrait ? p.cols > 1 : p.cols > 3);
    cards.forEach((c, i) => { c.hidden = Math.floor(i / perPage) !== state.page; });
    $("page-label").textContent = t("page", { page: number(state.page + 1), pages: number(state.pages) });
    $("page-prev").disabled = state.page === 0;
    $("page-next").disabled = state.page >= state.pages - 1;
    cards.filter((c) => !c.hidden).forEach(fitText);
  }

  // A long service name wraps; if the card still overflows, the name steps down first (to half), and only
  // then the waiting lines (to 70 %), so the wait stays readable and inside the card.
  function fitText(button) {
    const overflows = () => button.scrollHeight > button.clientHeight + 1;
    button.style.removeProperty("--name-scale");
    button.style.removeProperty("--info-scale");
    for (let scale = 0.95; overflows() && scale >= 0.5; scale -= 0.05) button.style.setProperty("--name-scale", scale);
    for (let scale = 0.95; overflows() && scale >= 0.7; scale -= 0.05) button.style.setProperty("--info-scale", scale);
  }

  function turnPage(step) {
    const next = Math.min(state.pages - 1, Math.max(0, state.page + step));
    if (next === state.page) return;
    state.page = next;
    layout();
  }

  let offlineTimer = null;
  async function refresh() {
    try {
      const { status, body } = await call("state");
      if (status !== 200) throw new Error(`state ${status}`);
      state.data = body;
      state.offline = false;
      render();
    } catch (e) {
      state.offline = true;
      if (state.screen !== "ticket") showClosed("offline");
      clearTimeout(offlineTimer);
      offlineTimer = setTimeout(refresh, 3000);
    }
  }

  let returnTimer = null;
  let countdownTimer = null;
  function backToStart() {
    clearTimeout(returnTimer);
    clearInterval(countdownTimer);
    if (foreign) { homeLanguage(); return; }
    state.ticket = null;
    state.priority = null;
    state.page = 0;
    document.querySelectorAll(".prio").forEach((b) => b.classList.remove("on"));
    show("start");
    refresh();
  }

  const PRIORITY = { elderly: "prio_elderly", disabled: "prio_disabled", pregnant: "prio_pregnant" };
  function showTicket(answer) {
    state.ticket = answer;
    const ticket = answer.ticket;
    $("t-code").textContent = ticket.code;
    $("t-service").textContent = serviceName(answer.service_name);
    $("t-priority").hidden = !PRIORITY[ticket.priority];
    $("t-priority").textContent = PRIORITY[ticket.priority] ? t(PRIORITY[ticket.priority]) : "";
    $("t-ahead").textContent = number(answer.people_ahead);
    $("t-wait").textContent = waitText(answer.estimated_wait_minutes);
    $("t-wait").classList.toggle("word", !answer.estimated_wait_minutes);
    $("t-qr").innerHTML = answer.qr_svg;  // an SVG the server drew from its own URL, no resident's data
    const p = answer.print;
    const box = $("t-print");
    const [kind, key] = !p ? ["wait", "print_none"] : p.status === "printed" ? ["ok", "print_done"]
      : p.via === "agent" && p.status === "pending" ? ["ok", "print_agent"] : ["fail", "print_failed"];
    box.className = `t-print ${kind}`;
    box.textContent = t(key);
    show("ticket");
    const seconds = p && p.status !== "printed" && p.via !== "agent" ? returnSeconds * 2 : returnSeconds;
    let left = seconds;
    $("countdown").textContent = `(${number(left)})`;
    countdownTimer = setInterval(() => { left -= 1; $("countdown").textContent = `(${number(Math.max(left, 0))})`; }, 1000);
    returnTimer = setTimeout(backToStart, seconds * 1000);
  }

  async function issue(serviceId) {
    if (document.body.classList.contains("busy")) return;
    document.body.classList.add("busy");
    try {
      const { status, body } = await call("issue", { method: "POST",
        body: JSON.stringify({ office: cfg.office, service: serviceId, priority: state.priority || "regular" }) });
      document.body.classList.remove("busy");
      if (status === 201) { showTicket(body); return; }
      if (body && body.error === "quota_reached") { await refresh(); return; }
      if (body && body.error === "office_closed") { await refresh(); return; }
      showClosed("offline");
      setTimeout(refresh, 3000);
    } catch (e) {
      document.body.classList.remove("busy");
      showClosed("offline");
      clearTimeout(offlineTimer);
      offlineTimer = setTimeout(refresh, 3000);
    }
  }

  $("services").addEventListener("click", (ev) => {
    const button = ev.target.closest("button.svc");
    if (button && !button.disabled) issue(Number(button.dataset.service));
  });
  $("priorities").addEventListener("click", (ev) => {
    const button = ev.target.closest("button.prio");
    if (!button) return;
    state.priority = state.priority === button.dataset.priority ? null : button.dataset.priority;
    document.querySelectorAll(".prio").forEach((b) => b.classList.toggle("on", b.dataset.priority === state.priority));
  });
  $("done").addEventListener("click", backToStart);
  $("page-prev").addEventListener("click", () => turnPage(-1));
  $("page-next").addEventListener("click", () => turnPage(1));
  let swipeFrom = null;
  $("services").addEventListener("pointerdown", (ev) => { swipeFrom = ev.clientX; });
  $("services").addEventListener("pointerup", (ev) => {
    const dx = swipeFrom === null ? 0 : ev.clientX - swipeFrom;
    swipeFrom = null;
    if (Math.abs(dx) > 120) turnPage(dx < 0 ? 1 : -1);
  });
  window.addEventListener("resize", layout);

  // Idle in another language: back to the office's language, so the next resident does not find English.
  if (foreign) {
    let idleTimer = null;
    const touched = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => { if (state.screen !== "ticket") homeLanguage(); }, idleSeconds * 1000);
    };
    ["pointerdown", "keydown"].forEach((name) => document.addEventListener(name, touched, true));
    touched();
  }

  // Live waiting counts: any fact in the office refreshes the list (a burst is one refresh). Throttled,
  // not debounced, so a busy office's steady stream of facts cannot postpone the refresh indefinitely.
  const socket = io({ auth: { device: "kiosk" } });  // recognised by the device cookie, no token in the page
  let pending = null;
  const soon = () => {
    if (pending !== null) return;
    pending = setTimeout(() => { pending = null; refresh(); }, 300);
  };
  PTSPLive.follow(socket, { onSnapshot: soon, onFact: soon });
  socket.on("connect", () => { $("connection").className = "conn conn-on"; });
  socket.on("disconnect", () => { $("connection").className = "conn conn-off"; soon(); });
  setInterval(() => { if (state.screen !== "ticket") refresh(); }, 30000);
  refresh();
})();
