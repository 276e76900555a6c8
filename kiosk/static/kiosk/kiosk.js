/* The kiosk: list open services, issue a ticket on a tap, show it (and how printing went), return to start.
   Every request is bounded, so a lost server shows a plain message instead of a spinner. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-config").textContent);
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const returnSeconds = Math.min(120, Math.max(2, parseInt(params.get("return"), 10) || cfg.return_seconds));
  const REQUEST_MS = 8000;  // longer than the print timeout (3 s), shorter than a resident's patience
  const state = { screen: "loading", data: null, priority: null, ticket: null, lang: "id", offline: false };
  window.ptspKiosk = { state, refresh, issue };

  const { esc, bi } = window.PTSPBilingual;
  const waitText = (m) => (m === null || m === undefined ? bi("belum diketahui", "not yet known")
    : m === 0 ? bi("segera", "right away") : bi(`± ${m} menit`, `about ${m} min`));

  async function call(path, options) {
    const response = await fetch(path, {
      ...options,
      headers: { Authorization: `Bearer ${cfg.token}`, "Content-Type": "application/json" },
      signal: AbortSignal.timeout(REQUEST_MS),
    });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    return { status: response.status, body };
  }

  function show(screen) {
    state.screen = screen;
    ["start", "ticket", "closed"].forEach((v) => { $(v).hidden = v !== screen; });
    document.body.className = `screen-${screen}${state.lang === "en" ? " lang-en" : ""}`;
  }

  function showClosed(kind, data) {
    const hours = data && data.opens_at ? `${data.opens_at}–${data.closes_at}` : null;
    const texts = {
      closed: [bi("Kantor sedang tutup", "The office is closed"),
        hours ? bi(`Jam layanan hari ini ${hours} ${data.office.zone}. Silakan datang kembali.`,
          `Today's service hours are ${hours} ${data.office.zone}. Please come back then.`)
          : bi("Hari ini tidak ada layanan. Silakan datang pada hari kerja.",
            "There is no service today. Please come back on a working day.")],
      cutoff: [bi("Pengambilan nomor sudah ditutup", "Ticket issuing has ended"),
        bi(`Nomor antrean terakhir diambil pukul ${data && data.last_ticket_at}. Silakan datang besok.`,
          `The last ticket was issued at ${data && data.last_ticket_at}. Please come back tomorrow.`)],
      quota: [bi("Kuota hari ini sudah habis", "Today's quota is used up"),
        bi("Semua layanan sudah mencapai kuota harian. Silakan datang besok.",
          "Every service has reached its daily quota. Please come back tomorrow.")],
      offline: [bi("Kios tidak terhubung ke server", "The kiosk cannot reach the server"),
        bi("Mohon tunggu sebentar atau minta bantuan petugas. Kios mencoba lagi sendiri.",
          "Please wait a moment or ask the staff. The kiosk keeps retrying by itself.")],
    };
    $("closed-title").innerHTML = texts[kind][0];
    $("closed-text").innerHTML = texts[kind][1];
    $("closed").dataset.kind = kind;
    show("closed");
  }

  function render() {
    const data = state.data;
    $("office-name").textContent = data.office.name;
    $("clock").textContent = data.office.local_time;
    if (state.screen === "ticket") return;
    if (data.state !== "open") { showClosed(data.state, data); return; }
    if (data.services.length && data.services.every((s) => !s.available)) { showClosed("quota", data); return; }
    $("services").innerHTML = data.services.map((s) => `
      <button type="button" class="svc" data-service="${s.id}" ${s.available ? "" : "disabled"}>
        <span class="prefix">${esc(s.prefix)}</span>
        <span class="name">${bi(s.name.id, s.name.en)}</span>
        <span class="info">${s.available
          ? `${bi(`Menunggu: ${s.waiting} orang`, `Waiting: ${s.waiting}`)}<br>${bi("Perkiraan tunggu:", "Estimated wait:")}
            <b>${waitText(s.estimated_wait_minutes)}</b>`
          : bi("Kuota hari ini habis", "Today's quota is used up")}</span>
      </button>`).join("");
    show("start");
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
    state.ticket = null;
    state.priority = null;
    document.querySelectorAll(".prio").forEach((b) => b.classList.remove("on"));
    show("start");
    refresh();
  }

  function showTicket(answer) {
    state.ticket = answer;
    const t = answer.ticket;
    $("t-code").textContent = t.code;
    $("t-service").innerHTML = bi(answer.service_name.id, answer.service_name.en);
    const prio = { elderly: ["Prioritas: Lansia", "Priority: elderly"], disabled: ["Prioritas: Disabilitas",
      "Priority: disability"], pregnant: ["Prioritas: Ibu hamil / membawa bayi", "Priority: pregnant / with infant"] };
    $("t-priority").hidden = !prio[t.priority];
    if (prio[t.priority]) $("t-priority").innerHTML = bi(...prio[t.priority]);
    $("t-ahead").textContent = answer.people_ahead;
    $("t-wait").innerHTML = waitText(answer.estimated_wait_minutes);
    $("t-wait").classList.toggle("word", !answer.estimated_wait_minutes);
    $("t-qr").innerHTML = answer.qr_svg;
    const p = answer.print;
    const box = $("t-print");
    if (!p) {
      box.className = "t-print wait";
      box.innerHTML = bi("Kios ini tanpa printer: silakan foto tiket ini.", "This kiosk has no printer: please take a photo of this ticket.");
    } else if (p.status === "printed") {
      box.className = "t-print ok";
      box.innerHTML = bi("Tiket dicetak. Silakan ambil kertasnya.", "Your ticket is printed. Please take it.");
    } else if (p.via === "agent" && p.status === "pending") {
      box.className = "t-print ok";
      box.innerHTML = bi("Tiket sedang dicetak. Silakan ambil kertasnya.", "Your ticket is printing. Please take it.");
    } else {
      box.className = "t-print fail";
      box.innerHTML = bi("Printer bermasalah. Silakan FOTO layar ini; nomor Anda tetap tercatat.",
        "The printer has a problem. Please PHOTOGRAPH this screen; your number is saved.");
    }
    show("ticket");
    const seconds = p && p.status !== "printed" && p.via !== "agent" ? returnSeconds * 2 : returnSeconds;
    let left = seconds;
    $("countdown").textContent = `(${left})`;
    countdownTimer = setInterval(() => { left -= 1; $("countdown").textContent = `(${Math.max(left, 0)})`; }, 1000);
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
  window.PTSPBilingual.toggle((lang) => { state.lang = lang; });

  // Live waiting counts: any fact in the office refreshes the list (a burst is one refresh). Throttled,
  // not debounced, so a busy office's steady stream of facts cannot postpone the refresh indefinitely.
  const socket = io({ auth: { token: cfg.token } });
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
