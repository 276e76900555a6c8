/* "Beri tahu saya" on the status page: register the service worker, subscribe to Web Push with the server's
   VAPID key and hand the subscription to the server; or give a phone number, with consent, for the office's
   gateway. Every refusal (no push support, permission denied, no push service) leaves a sentence and the page
   working as before. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("ptsp-config").textContent);
  const $ = (id) => document.getElementById(id);
  const { t } = window.PTSPText;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const state = { supported: "serviceWorker" in navigator && "PushManager" in window && "Notification" in window,
    registered: false, permission: null, subscribed: cfg.alerts.push, error: null, phone: cfg.alerts.phone };
  window.ptspAlerts = state;
  const button = $("notify");
  const say = (node, text, bad) => { node.textContent = text; node.classList.toggle("bad", Boolean(bad)); };

  function key(base64) {
    const padded = (base64 + "=".repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  async function send(method, body) {
    const response = await fetch(`${encodeURIComponent(cfg.token)}/alerts`, {
      method, headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10000),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.message || String(response.status));
    return answer;
  }

  function show() {
    button.classList.toggle("on", Boolean(state.subscribed));
    button.textContent = state.subscribed ? t("notify_stop") : button.dataset.label;
    if (state.subscribed) say($("notify-state"), t("notify_on"));
  }

  async function register() {
    if (!state.supported) return null;
    try {
      const registration = await navigator.serviceWorker.register(cfg.worker, { scope: "/t/" });
      state.registered = true;
      return registration;
    } catch (e) {
      state.error = String(e);
      return null;
    }
  }

  async function subscribe() {
    if (!state.supported) { say($("notify-state"), t("notify_unsupported"), true); return; }
    const registration = await register();
    if (!registration) { say($("notify-state"), t("notify_failed"), true); return; }
    state.permission = await Notification.requestPermission();
    if (state.permission !== "granted") { say($("notify-state"), t("notify_refused"), true); return; }
    try {
      await navigator.serviceWorker.ready;
      const server = await (await fetch(cfg.push_key, { signal: AbortSignal.timeout(10000) })).json();
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: key(server.key) });
      await send("POST", { push: subscription.toJSON() });
      state.subscribed = true;
      show();
    } catch (e) {
      state.error = String(e && e.message ? e.message : e);
      say($("notify-state"), t("notify_failed"), true);
    }
  }

  async function unsubscribe() {
    try {
      const registration = await navigator.serviceWorker.getRegistration("/t/");
      const subscription = registration && await registration.pushManager.getSubscription();
      await send("DELETE");
      state.subscribed = false;
      state.phone = false;
      if (subscription) await subscription.unsubscribe();
      show();
      say($("notify-state"), t("notify_off"));
    } catch (e) {
      say($("notify-state"), t("notify_failed"), true);
    }
  }

  button.dataset.label = button.textContent;
  button.addEventListener("click", () => {
    button.disabled = true;
    (state.subscribed ? unsubscribe() : subscribe()).finally(() => { button.disabled = false; });
  });
  const form = $("phone-form");
  if (form) {
    if (state.phone) say($("phone-state"), t("phone_on"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!$("consent").checked) { say($("phone-state"), t("phone_consent"), true); return; }
      try {
        await send("POST", { phone: $("phone").value, consent: true });
        state.phone = true;
        $("phone").value = "";
        say($("phone-state"), t("phone_on"));
      } catch (e) {
        say($("phone-state"), e.message, true);
      }
    });
  }
  // The section goes when the ticket ends (the server deletes its subscriptions then).
  new MutationObserver(() => {
    $("alerts").hidden = !["waiting", "called"].includes($("panel").dataset.status);
  }).observe($("panel"), { attributes: true, attributeFilter: ["data-status"] });
  show();
  register();
})();
