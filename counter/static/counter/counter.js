/* The clerk's counter screen: commands over the socket with acknowledgements and request ids. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-config").textContent);
  const $ = (id) => document.getElementById(id);
  const EN = {
    counter: "Counter", open: "Open", break: "Break", close: "Close", logout: "Log out", current: "Current ticket",
    call_next: "Call next", recall: "Recall", start: "Start", no_show: "No-show", complete: "Complete",
    transfer: "Transfer", waiting: "Waiting", call_ticket: "Call selected ticket", today: "My figures today",
    served: "Served", mean: "Average time", no_shows: "No-shows", points: "Points", rank_today: "Rank today", rank_week: "Rank this week",
    keys: "Keys: N call · R recall · S start · D done · X no-show · T transfer", break_reason: "Break reason",
    transfer_reason: "Transfer reason", call_reason: "Reason to call this ticket",
  };
  const ID = {};
  document.querySelectorAll("[data-i18n]").forEach((el) => { ID[el.dataset.i18n] = el.textContent; });
  document.querySelectorAll("[data-i18n-ph]").forEach((el) => { ID[el.dataset.i18nPh] = el.placeholder; });
  let lang = "id";
  const PRIORITY = { elderly: "lansia", disabled: "disabilitas", pregnant: "ibu hamil/bayi" };

  const state = {
    office: null, services: [], counters: [], counterId: Number(localStorage.getItem("ptsp.counter")) || null,
    current: null, waiting: {}, lines: {}, figures: null, picked: null,
  };
  const pending = new Map();
  const socket = io({ auth: { office: cfg.office } });
  const live = PTSPLive.follow(socket, { onSnapshot: applySnapshot, onFact: applyFact });
  window.ptspCounter = { socket, state, live, send };

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
    if (fact.waiting) {
      state.services.forEach((s) => { state.waiting[s.id] = fact.waiting[s.id] || 0; });
    }
    if (name === "counter_changed") {
      state.counters = state.counters.map((c) => (c.id === fact.id ? { ...c, ...fact } : c));
    }
    const t = fact.ticket;
    if (t && t.counter === state.counterId && (t.status === "called" || t.status === "serving")) {
      state.current = t;
    } else if (t && state.current && state.current.id === t.id) {
      state.current = null;
    }
    render();
    refresh();
  }

  // Throttled, not debounced: a pending refresh also covers facts that arrive meanwhile, so a busy
  // office's steady stream of facts cannot postpone it indefinitely.
  let refreshTimer = null;
  function refresh() {
    if (refreshTimer !== null) return;
    refreshTimer = setTimeout(async () => {
      refreshTimer = null;
      const response = await fetch("state", { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      state.lines = data.waiting;
      state.figures = data.figures;
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
        else resolve(err ? { error: "timeout", message: "Server tidak menjawab; coba lagi." } : answer);
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
    if (answer.status === 204) { say(lang === "id" ? "Tidak ada yang menunggu." : "Nobody is waiting."); return; }
    if (answer.counter) {
      state.counters = state.counters.map((c) => (c.id === answer.counter.id ? { ...c, ...answer.counter } : c));
    }
    const t = answer.ticket;
    if (t) state.current = t.counter === state.counterId && ["called", "serving"].includes(t.status) ? t : null;
    if (action === "call_ticket") { state.picked = null; $("call-reason").value = ""; }
    if (action === "transfer") $("transfer-reason").value = "";
    say("");
    refresh();
  }

  function say(text, isError) {
    $("message").textContent = text || "";
    $("message").className = isError ? "message error" : "message";
  }

  function serviceName(id) {
    const s = state.services.find((x) => x.id === id);
    return s ? `${s.prefix} · ${s.name[lang]}` : String(id);
  }

  function render() {
    const c = myCounter();
    const select = $("counter-select");
    const options = state.counters.map((x) => `<option value="${x.id}">${x.number}${x.name ? " " + x.name : ""}` +
      `${x.staff_name && x.staff !== cfg.staff ? " (" + x.staff_name + ")" : ""}</option>`).join("");
    if (select.dataset.options !== options) { select.innerHTML = options; select.dataset.options = options; }
    if (c) select.value = String(c.id);
    $("office-name").textContent = state.office ? state.office.name : "PTSP";
    const st = c ? c.state : "closed";
    const names = lang === "id" ? { open: "buka", break: "istirahat", closed: "tutup" }
      : { open: "open", break: "on break", closed: "closed" };
    $("counter-state").textContent = names[st] || st;
    $("counter-state").className = `badge badge-${st}`;
    const t = state.current;
    resetOutcomeForNewTicket(t);
    $("current-code").textContent = t ? t.code : "—";
    $("current-info").textContent = t
      ? `${serviceName(t.service)} · ${t.status === "called" ? (lang === "id" ? "dipanggil" : "called") + " ×" +
        t.call_count : (lang === "id" ? "sedang dilayani" : "serving")}${PRIORITY[t.priority] ? " · " +
        PRIORITY[t.priority] : ""}`
      : (lang === "id" ? "Tidak ada tiket aktif" : "No active ticket");
    const busy = (k) => pending.has(k);
    const open = st === "open";
    const own = c && c.staff === cfg.staff;
    $("open").disabled = !c || (open && own) || busy("open");
    $("break").disabled = !own || st !== "open" || !!t || busy("break");
    $("close").disabled = !own || !!t || busy("close");
    $("call-next").disabled = !own || !open || !!t || busy("call_next");
    $("recall").disabled = !t || t.status !== "called" || busy("recall");
    $("start").disabled = !t || t.status !== "called" || busy("start");
    $("no-show").disabled = !t || t.status !== "called" || busy("no_show");
    $("complete").disabled = !t || t.status !== "serving" || busy("complete");
    $("transfer").disabled = !t || busy("transfer");
    $("call-ticket").disabled = !own || !open || !!t || !state.picked || busy("call_ticket");
    const targets = state.services.filter((s) => !t || s.id !== t.service)
      .map((s) => `<option value="${s.id}">${serviceName(s.id)}</option>`).join("");
    if ($("transfer-service").dataset.options !== targets) {
      $("transfer-service").innerHTML = targets;
      $("transfer-service").dataset.options = targets;
    }
    renderLines(c);
    const f = state.figures;
    if (f) {
      $("fig-served").textContent = f.served;
      $("fig-mean").textContent = f.mean_minutes === null ? "–" : `${f.mean_minutes} ${lang === "id" ? "menit" : "min"}`;
      $("fig-noshow").textContent = f.no_show;
      $("fig-points").textContent = `${f.points}` + (f.held ? ` (+${f.held} ${lang === "id" ? "ditahan" : "held"})` : "");
      const rankText = (r) => !r ? "–" : r.rank ? `#${r.rank} / ${r.ranked_of} · ${r.per_hour} ${lang === "id" ? "poin/jam" : "pts/h"}` :
        (lang === "id" ? `belum (< ${r.min_transactions} transaksi)` : `not yet (< ${r.min_transactions} transactions)`);
      $("fig-rank-today").textContent = rankText(f.standing && f.standing.today);
      $("fig-rank-week").textContent = rankText(f.standing && f.standing.week);
    }
    $("picked").textContent = state.picked ? state.picked.code : "–";
    tick();
  }

  // The outcome picked (or set by a referral) belongs to one ticket: each new current ticket starts
  // from the default, or a later ticket would be stored as, say, "dirujuk".
  let outcomeTicket = null;
  function resetOutcomeForNewTicket(t) {
    const id = t ? t.id : null;
    if (id === outcomeTicket) return;
    outcomeTicket = id;
    const select = $("outcome");
    const initial = Array.from(select.options).find((o) => o.defaultSelected) || select.options[0];
    select.value = initial.value;
  }

  function renderLines(c) {
    const mine = new Set(c ? c.services : []);
    $("lines").innerHTML = state.services.map((s) => {
      const line = state.lines[s.id] || [];
      const items = line.slice(0, 12).map((x) => `<li><button class="ticket${x.priority !== "regular" ? " prio" : ""}` +
        `${state.picked && state.picked.id === x.id ? " picked" : ""}" data-id="${x.id}" data-code="${x.code}"` +
        ` title="${PRIORITY[x.priority] || ""}">${x.code}${x.priority !== "regular" ? " ★" : ""}` +
        `${x.transferred ? " ↪" : ""}</button></li>`).join("");
      const more = line.length > 12 ? `<li class="more">+${line.length - 12}</li>` : "";
      return `<div class="line${mine.has(s.id) ? " mine" : ""}" data-service="${s.id}"><h3>${serviceName(s.id)}` +
        ` <span class="count">${state.waiting[s.id] || 0}</span></h3><ul>${items}${more}</ul></div>`;
    }).join("");
  }

  function tick() {
    const t = state.current;
    const since = t && (t.started_at || t.called_at);
    if (!since) { $("current-timer").textContent = ""; return; }
    const secs = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
    const mm = String(Math.floor(secs / 60)).padStart(2, "0");
    const ss = String(secs % 60).padStart(2, "0");
    const label = t.started_at ? (lang === "id" ? "dilayani" : "serving") : (lang === "id" ? "menunggu datang" : "waiting");
    $("current-timer").textContent = `${label} ${mm}:${ss}`;
  }
  setInterval(tick, 1000);

  function counterCmd(action, extra) { return send(action, { counter: state.counterId, ...extra }); }
  function ticketCmd(action, extra) { return state.current && send(action, { ticket: state.current.id, ...extra }); }
  const actions = {
    "open": () => counterCmd("open"),
    "break": () => {
      const reason = $("break-reason").value.trim();
      if (!reason) { say(lang === "id" ? "Isi alasan istirahat." : "Give a reason.", true); return; }
      counterCmd("break", { reason });
    },
    "close": () => counterCmd("close"),
    "call-next": () => counterCmd("call_next"),
    "recall": () => counterCmd("recall"),
    "start": () => ticketCmd("start"),
    "no-show": () => ticketCmd("no_show"),
    "complete": () => ticketCmd("complete", { outcome: $("outcome").value }),
    "transfer": () => {
      const reason = $("transfer-reason").value.trim();
      if (!reason) { say(lang === "id" ? "Isi alasan pindah layanan." : "Give a reason.", true); return; }
      ticketCmd("transfer", { service: Number($("transfer-service").value), reason });
    },
    "call-ticket": () => {
      const reason = $("call-reason").value.trim();
      if (!reason) { say(lang === "id" ? "Isi alasan memanggil tiket ini." : "Give a reason.", true); return; }
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
  const KEYS = { n: "call-next", r: "recall", s: "start", d: "complete", x: "no-show", t: "transfer" };
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || ["INPUT", "SELECT", "TEXTAREA"].includes(e.target.tagName)) return;
    const id = KEYS[e.key.toLowerCase()];
    if (id && !$(id).disabled) { e.preventDefault(); $(id).click(); }
  });
  $("lang").addEventListener("click", () => {
    lang = lang === "id" ? "en" : "id";
    const dict = lang === "id" ? ID : EN;
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = dict[el.dataset.i18n]; });
    document.querySelectorAll("[data-i18n-ph]").forEach((el) => { el.placeholder = dict[el.dataset.i18nPh]; });
    $("lang").textContent = lang === "id" ? "EN" : "ID";
    render();
  });

  function connection(text, ok) {
    $("connection").textContent = text;
    $("connection").className = `conn ${ok ? "conn-on" : "conn-off"}`;
  }
  socket.on("connect", () => connection(lang === "id" ? "Terhubung" : "Connected", true));
  socket.on("disconnect", () => connection(lang === "id" ? "Terputus – menyambung ulang…" : "Disconnected – retrying…"));
  socket.on("connect_error", () => connection(lang === "id" ? "Gagal terhubung – mencoba lagi…" : "Cannot connect"));
})();
