/* Pairs a kiosk, display or rating tablet from its set-up address `…#token=…` (ptsp/device_auth.py).
   The fragment never reaches a server: the token is taken out of the address bar and this history entry
   at once, sent once in an Authorization header to the pairing endpoint, which answers with the device
   cookie, and the page is loaded again without it. A server that cannot be reached is tried again. A
   fragment typed into an open pairing page arrives without a new load: `hashchange` starts it too. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-pair").textContent);
  // A station page pairs too (a browser moved to another device) but has neither the text nor the status line.
  const { t, lang } = window.PTSPText || { t: (key) => key, lang: document.documentElement.lang };
  const status = document.getElementById("pair-status") || document.createElement("p");
  let retry = null;

  async function pair(token, clean) {
    let response;
    try {
      response = await fetch(cfg.pair_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "Accept-Language": lang },
        body: JSON.stringify({ kind: cfg.kind }),
        signal: AbortSignal.timeout(10000),
      });
    } catch (e) {
      status.textContent = t("offline");
      retry = setTimeout(() => pair(token, clean), 5000);
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

  function start() {
    const token = new URLSearchParams(location.hash.slice(1)).get("token");
    if (!token) return;
    clearTimeout(retry);
    const query = new URLSearchParams(location.search);
    query.delete("token");
    const clean = location.pathname + (query.toString() ? `?${query}` : "");
    history.replaceState(null, "", clean);
    window.ptspPairRefused = false;
    status.textContent = t("pairing");
    pair(token, clean);
  }

  window.addEventListener("hashchange", start);
  start();
})();
