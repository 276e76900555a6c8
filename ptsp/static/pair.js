/* Pairs a kiosk, display or rating tablet from its set-up address `…#token=…` (ptsp/device_auth.py).
   The fragment never reaches a server: the token is taken out of the address bar and this history entry
   at once, sent once in an Authorization header to the pairing endpoint, which answers with the device
   cookie, and the page is loaded again without it. A server that cannot be reached is tried again. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-pair").textContent);
  const { t } = window.PTSPText;
  const status = document.getElementById("pair-status");
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (!token) return;
  const query = new URLSearchParams(location.search);
  query.delete("token");
  const clean = location.pathname + (query.toString() ? `?${query}` : "");
  history.replaceState(null, "", clean);
  status.textContent = t("pairing");

  async function pair() {
    let response;
    try {
      response = await fetch(cfg.pair_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ kind: cfg.kind }),
        signal: AbortSignal.timeout(10000),
      });
    } catch (e) {
      status.textContent = t("offline");
      setTimeout(pair, 5000);
      return;
    }
    if (response.ok) {
      location.replace(clean);
      return;
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    status.textContent = body && body.message ? body.message : t("offline");
    window.ptspPairRefused = true;
  }
  pair();
})();
