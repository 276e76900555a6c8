/* Pairs a kiosk, display or rating tablet from its set-up address `…#token=…` (ptsp/device_auth.py).
   The fragment never reaches a server: the token is taken out of the address bar and this history entry
   at once, sent once in an Authorization header to the pairing endpoint, which answers with the device
   cookie, and the page is loaded again without it. A server that cannot be reached is tried again. A
   fragment typed into an open pairing page arrives without a new load: `hashchange` starts it too.
   On the pairing page itself (cfg.code_url) it also asks for a short code, shows it large, and polls until an
   administrator has entered it on the devices page; the answer then carries the device cookie (the code's
   secret half stays in this browser's HttpOnly `ptsp_pairing` cookie). An expired code is replaced. */
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

  // Pairing by a code: ask, show, poll; a new code when it expires (the server answers 404 to a stale one).
  // The pairing page itself sets no cookie: the session's CSRF token is fetched when the code is first asked for.
  let codeTimer = null;
  let stopped = false;
  let csrf = null;

  async function post(url, body) {
    if (!csrf) {
      const answer = await fetch(cfg.csrf_url, { credentials: "same-origin", signal: AbortSignal.timeout(10000) });
      csrf = (await answer.json()).csrf_token;
    }
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept-Language": lang },
      body: JSON.stringify(body || {}),
      signal: AbortSignal.timeout(10000),
    });
  }

  function later(run, ms) {
    clearTimeout(codeTimer);
    if (!stopped) codeTimer = setTimeout(run, ms);
  }

  async function askCode() {
    const box = document.getElementById("pair-code-box");
    let response;
    try {
      response = await post(cfg.code_url, { kind: cfg.kind });
    } catch (e) {
      status.textContent = t("offline");
      later(askCode, 5000);
      return;
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (response.status !== 201 || !body) {
      if (response.status === 403) csrf = null;  // a session that ended: fetch its token again
      box.hidden = true;
      status.textContent = body && body.message ? body.message : t("offline");
      later(askCode, response.status === 429 ? 60000 : 5000);
      return;
    }
    status.textContent = "";
    document.getElementById("pair-code").textContent = body.code;
    const until = new Date(body.expires_at);
    const time = until.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    document.getElementById("pair-code-expiry").textContent = t("code_until", { time });
    box.hidden = false;
    later(() => collect(Date.now() + body.expires_in * 1000), 2000);
  }

  async function collect(expires) {
    let response;
    try {
      response = await post(cfg.collect_url);
    } catch (e) {
      later(() => collect(expires), 5000);
      return;
    }
    if (response.status === 200) {
      stopped = true;
      status.textContent = t("code_paired");
      location.replace(location.pathname + location.search);
    } else if (response.status === 202 && Date.now() < expires) {
      later(() => collect(expires), 2000);
    } else {
      askCode();
    }
  }

  window.addEventListener("hashchange", () => {
    if (location.hash.includes("token=")) { stopped = true; clearTimeout(codeTimer); }
    start();
  });
  if (location.hash.includes("token=")) {
    start();
  } else if (cfg.code_url) {
    askCode();
  }
})();
