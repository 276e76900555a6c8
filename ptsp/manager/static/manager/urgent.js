// The urgent page hears `urgent_changed` for its offices (docs/urgent.md) and fetches its pending list again, so a
// clerk's request shows up within a second; a note being typed in the list is kept until it is sent.
(function () {
  "use strict";
  const box = document.getElementById("urgent-pending");
  if (!box || !window.io) return;
  const socket = io({ auth: { scope: "dashboard" } });
  let again = false;
  let busy = false;
  async function reload() {
    if (busy) { again = true; return; }
    const typing = box.contains(document.activeElement) && document.activeElement.value;
    if (typing) { again = true; return; }
    busy = true;
    try {
      const response = await fetch(box.dataset.url, { credentials: "same-origin" });
      if (response.ok) box.innerHTML = await response.text();
    } finally {
      busy = false;
      if (again) { again = false; setTimeout(reload, 1000); }
    }
  }
  socket.on("urgent_changed", reload);
  socket.on("dashboard_ready", () => document.getElementById("urgent-live").classList.add("on"));
  socket.on("disconnect", () => document.getElementById("urgent-live").classList.remove("on"));
})();
