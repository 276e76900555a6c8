/* The resident's ticket page: live place in line, and "go to counter N" with sound and vibration.
   After sleep, wake or a reconnect it asks for its ticket again, so it always catches up. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-config").textContent);
  const $ = (id) => document.getElementById(id);
  const alertKey = `ptsp.status.${cfg.token}.alerted`;
  const status = { state: cfg.state, alerts: [], fetches: 0, sound: false, lang: "id", socket: null };
  window.ptspStatus = status;

  const { esc, bi } = window.PTSPBilingual;

  function render() {
    const s = status.state;
    const panel = $("panel");
    if (s.status !== "called") panel.classList.remove("alert");
    panel.dataset.status = s.status;
    let html;
    if (s.status === "waiting") {
      const wait = s.estimated_wait_minutes === null ? bi("belum diketahui", "not yet known")
        : s.estimated_wait_minutes === 0 ? bi("segera", "soon") : bi(`± ${s.estimated_wait_minutes} menit`,
          `about ${s.estimated_wait_minutes} min`);
      html = `<h1>${bi("Menunggu dipanggil", "Waiting to be called")}</h1>
        <div class="facts">
          <div><b id="position">${s.position}</b>${bi("urutan Anda", "your place")}</div>
          <div><b id="ahead">${s.people_ahead}</b>${bi("orang di depan", "people ahead")}</div>
        </div>
        <p>${bi("Perkiraan tunggu:", "Estimated wait:")} <b id="wait">${wait}</b></p>
        <p>${bi("Tetap di dekat ruang tunggu; halaman ini akan berbunyi saat Anda dipanggil.",
          "Stay near the waiting room; this page will ring when you are called.")}</p>`;
    } else if (s.status === "called") {
      html = `<h1>${bi("Giliran Anda!", "It's your turn!")}</h1>
        <div class="counter" id="called-counter">${bi(`Loket ${s.counter_number}`, `Counter ${s.counter_number}`)}</div>
        <p>${bi("Silakan segera menuju loket.", "Please go to the counter now.")}</p>`;
    } else if (s.status === "serving") {
      html = `<h1>${bi(`Sedang dilayani di loket ${s.counter_number}`, `Being served at counter ${s.counter_number}`)}</h1>`;
    } else if (s.status === "done") {
      html = `<h1>${bi("Layanan selesai. Terima kasih!", "Service completed. Thank you!")}</h1>
        <a class="rate" id="rate" href="${esc(s.rating_url)}">${bi("Beri penilaian", "Rate this service")}</a>`;
    } else if (s.status === "no_show") {
      html = `<h1>${bi("Nomor Anda terlewat", "Your number was missed")}</h1>
        <p>${bi("Anda dipanggil tetapi tidak datang. Silakan hubungi petugas.", "You were called but did not come. Please ask the staff.")}</p>`;
    } else if (s.status === "cancelled") {
      html = `<h1>${bi("Tiket dibatalkan", "Ticket cancelled")}</h1>`;
    } else {
      html = `<h1>${bi("Tiket sudah kedaluwarsa", "This ticket has expired")}</h1>
        <p>${bi("Tiket hanya berlaku pada hari diambil. Silakan ambil nomor baru di kios.",
          "A ticket is valid on the day it was taken. Please take a new number at the kiosk.")}</p>`;
    }
    panel.innerHTML = html;
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

  // The server sends a status page the facts that may move a waiting ticket (and every fact about
  // its own ticket). Facts about another service cannot move this one, so they are ignored. The
  // refetch waits a random 0.3-1.8 s, so that hundreds of phones in a busy office do not all ask the
  // server at the same instant after each call; a pending refetch covers facts arriving meanwhile
  // (throttled, not debounced, so a steady stream of facts cannot postpone it).
  let timer = null;
  const soon = () => {
    if (timer !== null) return;
    timer = setTimeout(() => { timer = null; refetch(); }, 300 + Math.random() * 1500);
  };
  // What a status page may hear, from the catalogue (ptsp/facts.py via /live/facts.js).
  const HEARD = window.PTSPFacts.facts
    .filter((f) => f.audience.includes("residents") || f.audience.includes("ticket")).map((f) => f.name);
  const socket = io({ auth: { ticket: cfg.token } });
  status.socket = socket;
  socket.on("connect", refetch);  // also after every reconnect: catch up on whatever was missed
  HEARD.forEach((name) => socket.on(name, (fact) => {
    const t = fact.ticket;
    const mine = t && t.id === status.state.id;
    if (name === "ticket_called" && mine) {
      apply({ ...status.state, status: "called", counter_number: t.counter_number, call_count: t.call_count,
        position: null, people_ahead: 0 });
    }
    if (mine || !t || t.service === status.state.service || t.issued_service === status.state.service) soon();
  }));
  const conn = $("connection");
  socket.on("connect", () => { conn.className = "conn conn-on"; conn.innerHTML = `● ${bi("terhubung", "live")}`; });
  socket.on("disconnect", () => { conn.className = "conn conn-off"; conn.innerHTML = `● ${bi("menghubungkan…", "reconnecting…")}`; });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refetch(); });
  window.addEventListener("online", refetch);
  setInterval(refetch, 60000);

  $("sound").addEventListener("click", () => {
    status.sound = true;
    $("sound").classList.add("on");
    new Audio(cfg.chime).play().catch(() => {});  // unlocks audio on phones that need a tap first
    if (navigator.vibrate) navigator.vibrate(100);
  });
  window.PTSPBilingual.toggle((lang) => { status.lang = lang; });
  render();
  if (status.state.status === "called") alertCalled();
})();
