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
  const state = { screen: "loading", data: null, priority: null, ticket: null, offline: false, page: 0, pages: 1,
    agency: null, query: "", keyboard: false };
  window.ptspKiosk = { state, refresh, issue, layout, fold, show, showTicket, call, backToStart };

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
  const agencyName = (a) => (a.name ? serviceName(a.name) : t("other_services"));
  // Search ignores case and accents: "pendaftaran e-ktp" finds "Pendaftaran e-KTP", "sertifikat" "Sértifikat".
  function fold(text) { return String(text).normalize("NFD").replace(/\p{M}/gu, "").toLowerCase(); }
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
    ["start", "ticket", "closed", "holiday", "checkin"].forEach((v) => { $(v).hidden = v !== screen; });
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

  // A service card: the cell of the template in _service_card.html (the card's button and a slot beside it).
  function card(s, agency) {
    const cell = $("service-card").content.firstElementChild.cloneNode(true);
    const button = cell.querySelector(".svc");
    cell.dataset.service = button.dataset.service = s.id;
    button.disabled = !s.available;
    button.querySelector(".prefix").textContent = s.prefix;
    button.querySelector(".prefix").classList.toggle("two", s.prefix.length > 1);
    button.querySelector(".name").textContent = serviceName(s.name);
    if (agency) {
      const line = button.querySelector(".agency-name");
      line.textContent = agencyName(agency);
      line.hidden = false;
    }
    const info = button.querySelector(".info");
    if (s.available) {
      info.append(el("span", "waiting", t("waiting", { count: number(s.waiting) })), " ");
      const wait = el("span", "wait", `${t("estimated")} `);
      wait.append(el("b", "", waitText(s.estimated_wait_minutes)));
      info.append(wait);
    } else {
      info.textContent = t("quota_used");
    }
    if (window.ptspStandard) button.append(window.ptspStandard.trigger(s, serviceName(s.name)));  // standard.js
    return cell;
  }

  function agencyTile(a, services) {
    const button = el("button", "agency-tile");
    button.type = "button";
    button.dataset.agency = a.id;
    if (a.code) button.append(el("span", "code", a.code));
    button.append(el("span", "name", agencyName(a)), el("span", "info", t("service_count", { count: number(services.length) })));
    return button;
  }

  // What the start screen lists: agency tiles, one agency's services, search results, or (an office
  // without agencies) its services, as today.
  function catalogue() {
    const data = state.data;
    const agencies = data.agencies || [];
    const byId = new Map(agencies.map((a) => [a.id, a]));
    const words = fold(state.query).split(/\s+/).filter(Boolean);
    if (words.length) {
      const found = data.services.filter((s) => {
        const a = byId.get(s.agency);
        const text = fold([s.prefix, s.name.id, s.name.en, a && a.code, a && agencyName(a), a && a.name && a.name.en].join(" "));
        return words.every((w) => text.includes(w));
      });
      return { kind: "results", nodes: found.map((s) => card(s, byId.get(s.agency))), count: found.length };
    }
    if (agencies.length && state.agency === null) {
      return { kind: "agencies", nodes: agencies.map((a) => agencyTile(a, data.services.filter((s) => s.agency === a.id))) };
    }
    const agency = byId.get(state.agency);
    return { kind: "services", agency,
      nodes: data.services.filter((s) => !agency || s.agency === agency.id).map((s) => card(s)) };
  }

  const searchable = () => (state.data.agencies || []).length > 0 || state.data.services.length > 8;
  function renderCatalogue() {
    const shown = catalogue();
    const bar = searchable();
    $("catalogue-bar").hidden = !bar;
    $("start").classList.toggle("with-bar", bar);
    $("start").classList.toggle("kb-open", bar && state.keyboard);
    $("keyboard").hidden = !(bar && state.keyboard);
    $("back").hidden = !(shown.kind === "services" && shown.agency) && !(shown.kind === "results" && (state.data.agencies || []).length);
    $("search-clear").hidden = !state.query;
    $("catalogue-title").textContent = shown.kind === "agencies" ? t("choose_agency")
      : shown.kind === "results" ? t("results", { count: number(shown.count) })
        : shown.agency ? agencyName(shown.agency) : t("choose_service");
    $("catalogue-title").classList.toggle("long", $("catalogue-title").textContent.length > 24);
    $("services").dataset.kind = shown.kind;
    const next = document.createElement("div");
    next.append(...(shown.nodes.length || shown.kind !== "results" ? shown.nodes : [el("p", "no-results", t("no_results"))]));
    // Update the cards in place (vendor/morphdom.min.js): a refresh comes with every fact in the office, and
    // a card replaced between a finger going down and coming up would swallow that tap.
    window.morphdom($("services"), next, { childrenOnly: true, getNodeKey: cardKey });
  }

  // A card or tile keeps its element across refreshes while it shows the same service or agency.
  function cardKey(node) {
    if (!node.classList) return undefined;
    if (node.classList.contains("svc-cell")) return `service-${node.dataset.service}`;
    if (node.classList.contains("agency-tile")) return `agency-${node.dataset.agency}`;
    return node.id || undefined;
  }

  function render() {
    const data = state.data;
    $("office-name").textContent = data.office.name;
    $("clock").textContent = clockText(data.office.local_time);
    if (window.ptspStandard) window.ptspStandard.header(data.services);  // standard.js
    if (state.screen === "ticket" || state.screen === "checkin") return;  // a resident is busy there
    if (data.closed_day && window.PTSPKioskHoliday) { window.PTSPKioskHoliday.fill(data.closed_day); show("holiday"); return; }
    if (data.state !== "open") { showClosed(data.state, data); return; }
    if (data.services.length && data.services.every((s) => !s.available)) { showClosed("quota", data); return; }
    renderCatalogue();
    show("start");
  }

  // Service cards: as many columns as the screen needs (portrait 1–2, landscape 3–4), rows no lower than a
  // finger-friendly card, and pages (the ‹ › buttons, or a swipe) when even that does not hold them all.
  const MIN_CARD = 190;
  const MIN_TILE = 130;  // an agency tile holds a code, a name and a count: lower, so more fit a page
  const MAX_CARD = 300;
  function layout() {
    const box = $("services");
    const cards = Array.from(box.children).filter((c) => !c.classList.contains("no-results"));
    $("pager").hidden = true;
    if (state.screen !== "start" || !cards.length) return;
    const MIN = box.dataset.kind === "agencies" ? MIN_TILE : MIN_CARD;
    const portrait = window.innerHeight > window.innerWidth;
    const n = cards.length;
    // The gap between cards is smaller when they are compact (two columns in portrait, four in landscape):
    // plan with the gap the cards will really have, or the rows add up to more than the room.
    const gapOf = (compact) => {
      box.classList.toggle("compact", compact);
      return parseFloat(getComputedStyle(box).rowGap) || 0;
    };
    let gap = gapOf(false);
    const plan = (height) => {
      const rows = Math.max(1, Math.floor((height + gap) / (MIN + gap)));
      let cols = portrait ? 1 : Math.min(n, 3);
      const most = portrait ? 2 : 4;
      while (cols < most && Math.ceil(n / cols) > rows) cols += 1;
      return { rows: Math.min(rows, Math.ceil(n / cols)), cols, fits: Math.ceil(n / cols) <= rows };
    };
    const planned = (height) => {
      gap = gapOf(false);
      const first = plan(height);
      if (!(portrait ? first.cols > 1 : first.cols > 3)) return first;
      gap = gapOf(true);
      const rows = Math.max(1, Math.floor((height + gap) / (MIN + gap)));
      const need = Math.ceil(n / first.cols);
      return { rows: Math.min(rows, need), cols: first.cols, fits: need <= rows };
    };
    box.style.height = "";
    let room = box.clientHeight;
    let p = planned(room);
    if (!p.fits) {
      $("pager").hidden = false;
      room = box.clientHeight;
      p = planned(room);
    }
    const apply = () => {
      const perPage = p.rows * p.cols;
      state.pages = Math.max(1, Math.ceil(n / perPage));
      state.page = Math.min(state.page, state.pages - 1);
      const cardHeight = Math.min(MAX_CARD, (room - gap * (p.rows - 1)) / p.rows);
      box.style.setProperty("--cols", p.cols);
      box.style.setProperty("--card-h", `${Math.floor(cardHeight)}px`);
      cards.forEach((c, i) => {
        c.hidden = Math.floor(i / perPage) !== state.page;
        const inner = c.querySelector(".svc");
        if (inner) inner.hidden = c.hidden;  // the card's button says so too, for whoever looks at buttons
      });
      $("page-label").textContent = t("page", { page: number(state.page + 1), pages: number(state.pages) });
      $("page-prev").disabled = state.page === 0;
      $("page-next").disabled = state.page >= state.pages - 1;
    };
    apply();
    // The cards must end inside the box: if the last row does not (the room changed as the page settled),
    // take a row off and lay out again, so no card is ever cut at the bottom.
    const bottom = () => Math.max(...cards.filter((c) => !c.hidden).map((c) => c.getBoundingClientRect().bottom));
    for (let tries = 0; tries < 3 && p.rows > 1 && bottom() > box.getBoundingClientRect().bottom + 1; tries += 1) {
      if ($("pager").hidden && n > p.rows * p.cols - p.cols) $("pager").hidden = false;
      room = box.clientHeight;
      p = { ...p, rows: p.rows - 1 };
      apply();
    }
    cards.filter((c) => !c.hidden).forEach((c) => fitText(c.querySelector(".svc") || c));
  }

  // A long service name wraps; if the card still overflows, the name steps down first (to half), and only
  // then the waiting lines (to 70 %), so the wait stays readable and inside the card.
  function fitText(button) {
    const overflows = () => button.scrollHeight > button.clientHeight + 1;
    button.style.removeProperty("--name-scale");
    button.style.removeProperty("--info-scale");
    for (let scale = 0.95; overflows() && scale >= 0.5; scale -= 0.05) button.style.setProperty("--name-scale", scale);
    for (let scale = 0.95; overflows() && scale >= 0.7; scale -= 0.05) button.style.setProperty("--info-scale", scale);
    for (let scale = 0.45; overflows() && scale >= 0.35; scale -= 0.05) button.style.setProperty("--name-scale", scale);
    for (let scale = 0.65; overflows() && scale >= 0.45; scale -= 0.05) button.style.setProperty("--info-scale", scale);
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
    resetCatalogue();
    document.querySelectorAll(".prio").forEach((b) => b.classList.remove("on"));
    if (state.data) renderCatalogue();  // the first screen at once, from the last state; refresh updates it
    show("start");
    refresh();
  }

  // Back to the first screen of the catalogue: the agencies (or the services), page 1, no search.
  function resetCatalogue() {
    state.page = 0;
    state.agency = null;
    state.query = "";
    state.keyboard = false;
    $("search").value = "";
  }

  function browse(change) {
    Object.assign(state, change, { page: 0 });
    if (state.data && state.screen === "start") { renderCatalogue(); layout(); }
  }

  // The ticket's QR code, drawn here from its status URL (vendor/qrcode.js) as the printer draws the paper's:
  // error correction M, a quiet zone of four modules. Without the library (not loaded, or it throws) the box
  // stays empty and the rest of the ticket still shows.
  function drawQr(box, url) {
    box.replaceChildren();
    if (typeof qrcode !== "function" || !url) return;
    try {
      const code = qrcode(0, "M");
      code.addData(url);
      code.make();
      box.innerHTML = code.createSvgTag({ cellSize: 1, margin: 4, scalable: true });  // modules only, no text
    } catch (e) {
      box.replaceChildren();
    }
  }

  const PRIORITY = { elderly: "prio_elderly", disabled: "prio_disabled", pregnant: "prio_pregnant" };
  function showTicket(answer) {
    state.ticket = answer;
    const ticket = answer.ticket;
    $("t-code").textContent = ticket.code;
    $("t-service").textContent = serviceName(answer.service_name);
    $("t-appointment").hidden = true;  // check_in.js shows it for a booking
    $("t-priority").hidden = !PRIORITY[ticket.priority];
    $("t-priority").textContent = PRIORITY[ticket.priority] ? t(PRIORITY[ticket.priority]) : "";
    $("t-ahead").textContent = number(answer.people_ahead);
    $("t-wait").textContent = waitText(answer.estimated_wait_minutes);
    $("t-wait").classList.toggle("word", !answer.estimated_wait_minutes);
    drawQr($("t-qr"), answer.status_url);
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
    const tile = ev.target.closest("button.agency-tile");
    if (tile) { browse({ agency: Number(tile.dataset.agency), query: "", keyboard: false }); $("search").value = ""; return; }
    const button = ev.target.closest("button.svc");
    if (button && !button.disabled) issue(Number(button.dataset.service));
  });
  $("back").addEventListener("click", () => { $("search").value = ""; browse({ agency: null, query: "", keyboard: false }); });
  // The search box: the OS keyboard types into it; tapping it also opens the page's own keyboard.
  $("search").addEventListener("input", () => browse({ query: $("search").value }));
  $("search").addEventListener("focus", () => { if (!state.keyboard) browse({ keyboard: true }); });
  $("search-clear").addEventListener("click", () => { $("search").value = ""; browse({ query: "" }); });
  $("keyboard").addEventListener("click", (ev) => {
    const key = ev.target.closest("button.key");
    if (!key) return;
    const input = $("search");
    const k = key.dataset.key;
    if (k === "Close") { input.blur(); browse({ keyboard: false }); return; }
    input.value = k === "Backspace" ? input.value.slice(0, -1) : k === "Clear" ? "" : input.value + k.toLowerCase();
    browse({ query: input.value });
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

  // Idle: back to the start of the catalogue (agencies, page 1, no search) for the next resident, and, in
  // another language, back to the office's language, so the next resident does not find English.
  let idleTimer = null;
  const touched = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (state.screen === "ticket") return;
      if (foreign) { homeLanguage(); return; }
      const moved = state.page || state.agency !== null || state.query || state.keyboard || state.priority;
      if (!moved) return;
      state.priority = null;
      document.querySelectorAll(".prio").forEach((b) => b.classList.remove("on"));
      $("search").blur();
      resetCatalogue();
      if (state.data && state.screen === "start") { renderCatalogue(); layout(); }
    }, idleSeconds * 1000);
  };
  ["pointerdown", "keydown", "input"].forEach((name) => document.addEventListener(name, touched, true));
  touched();

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
