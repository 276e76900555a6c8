/* "Sudah punya janji?": the resident types the booking code on the page's keys, or a hand scanner (a keyboard
   to the browser) types the code or the booking's URL and Enter. The server reads either; the answer is shown
   on the kiosk's ticket screen with the booking's mark. A scanner used on the start screen opens this view
   by itself: its first keystroke lands in the code field. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { t } = window.PTSPText;
  const cfg = JSON.parse(document.getElementById("ptsp-config").textContent);
  const kiosk = () => window.ptspKiosk;
  const input = $("appt-code");
  const error = $("appt-error");

  // Left half-typed, the view goes back to the start for the next resident.
  let idle = null;
  const stillThere = () => {
    clearTimeout(idle);
    idle = setTimeout(() => { if (kiosk().state.screen === "checkin") kiosk().backToStart(); }, cfg.idle_seconds * 1000);
  };
  ["pointerdown", "keydown", "input"].forEach((name) => $("checkin").addEventListener(name, stillThere, true));

  function open(first) {
    stillThere();
    error.hidden = true;
    input.value = first || "";
    kiosk().show("checkin");
    input.focus();
  }

  function fail(message) {
    error.textContent = message;
    error.hidden = false;
    input.focus();
    input.select();
  }

  async function submit() {
    const text = input.value.trim();
    if (!text || document.body.classList.contains("busy")) return;
    document.body.classList.add("busy");
    error.hidden = false;
    error.textContent = t("appt_checking");
    try {
      const { status, body } = await kiosk().call("check-in", { method: "POST",
        body: JSON.stringify({ office: cfg.office, text }) });
      document.body.classList.remove("busy");
      if (status === 201) {
        kiosk().showTicket(body);
        const mark = $("t-appointment");
        const timing = body.check_in.timing;
        mark.textContent = t(`appt_${timing}`, { time: body.check_in.slot || "" });
        mark.className = `t-appointment ${timing}`;
        mark.hidden = false;
        return;
      }
      fail(body && body.message ? body.message : t("appt_offline"));
    } catch (e) {
      document.body.classList.remove("busy");
      fail(t("appt_offline"));
    }
  }

  $("appt-open").addEventListener("click", () => open(""));
  $("appt-cancel").addEventListener("click", () => kiosk().backToStart());
  $("appt-form").addEventListener("submit", (ev) => { ev.preventDefault(); submit(); });
  $("appt-keys").addEventListener("click", (ev) => {
    const key = ev.target.closest("button.key");
    if (!key) return;
    input.value = key.dataset.key === "Backspace" ? input.value.slice(0, -1) : input.value + key.dataset.key;
    input.focus();
  });
  // A scanner typing while the start screen shows (no field focused): open the check-in with that first key.
  document.addEventListener("keydown", (ev) => {
    if (kiosk().state.screen !== "start" || ev.ctrlKey || ev.altKey || ev.metaKey) return;
    if (document.activeElement && ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName)) return;
    if (ev.key.length !== 1 || !/[A-Za-z0-9]/.test(ev.key)) return;
    ev.preventDefault();
    open(ev.key);
  });
})();
