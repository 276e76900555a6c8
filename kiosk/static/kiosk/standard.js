/* The service standard on the kiosk (docs/kiosk.md, "The service standard"): a "Persyaratan" button on every
   service card opens a panel with the requirements, the official fee (Gratis only when it is zero, else the
   amount and its legal basis) and the completion time. kiosk.js calls `ptspStandard.trigger(service)` when it
   builds a card and `ptspStandard.header(services)` when the services arrive; everything else lives here. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const panel = () => $("std-panel");
  const words = (key) => panel().dataset[key];
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (m, k) => (k in values ? values[k] : m));
  const number = (n) => (window.PTSPText ? window.PTSPText.number(n) : String(n));
  const CLOSE_AFTER_MS = 60000;  // an open panel left alone closes before the next resident arrives
  let shown = null;
  let closeTimer = null;

  function feeText(std) {
    return std.fee_rupiah > 0 ? fill(words("fee"), { amount: number(std.fee_rupiah) }) : words("free");
  }

  function daysText(days) {
    if (days === 0) return words("sameDay");
    if (days === 1) return words("oneDay");
    return fill(words("days"), { n: number(days) });
  }

  function open(service, name) {
    const std = service.standard || { requirements: [], fee_rupiah: 0, fee_basis: null, completion_days: null };
    shown = service;
    $("std-prefix").textContent = service.prefix;
    $("std-title").textContent = name;
    $("std-requirements").replaceChildren(...std.requirements.map((line) => {
      const item = document.createElement("li");
      item.textContent = line;
      return item;
    }));
    $("std-requirements").hidden = !std.requirements.length;
    $("std-none").hidden = std.requirements.length > 0;
    $("std-none").textContent = words("notPublished");
    $("std-fee").textContent = feeText(std);
    $("std-fee").classList.toggle("free", !(std.fee_rupiah > 0));
    $("std-basis-row").hidden = !(std.fee_rupiah > 0 && std.fee_basis);
    $("std-basis").textContent = std.fee_basis || "";
    $("std-days-row").hidden = std.completion_days === null || std.completion_days === undefined;
    $("std-days").textContent = $("std-days-row").hidden ? "" : daysText(std.completion_days);
    $("std-channel-row").hidden = !std.complaint_channel;  // the service's agency's channel, else the office's
    $("std-channel").textContent = std.complaint_channel || "";
    $("std-take").disabled = !service.available;
    panel().hidden = false;
    $("std-close").focus();
    clearTimeout(closeTimer);
    closeTimer = setTimeout(close, CLOSE_AFTER_MS);
  }

  function close() {
    clearTimeout(closeTimer);
    shown = null;
    if (panel()) panel().hidden = true;
  }

  // The button sits inside the card (itself a button), so it is a span with the button role; its own listener
  // stops the tap there, so opening the panel never issues a ticket. kiosk.js keeps a card's elements across
  // refreshes, so the tap reads the service as the kiosk last heard it, not as it was when the card was made.
  function latest(service) {
    const data = window.ptspKiosk && window.ptspKiosk.state.data;
    return (data && data.services.find((s) => s.id === service.id)) || service;
  }

  function trigger(service, name) {
    const button = document.createElement("span");
    button.className = "std-open";
    button.setAttribute("role", "button");
    button.tabIndex = 0;
    button.dataset.standardFor = service.id;
    button.textContent = words("openLabel");
    button.setAttribute("aria-label", `${words("openLabel")}: ${name}`);
    const go = (ev) => {
      ev.stopPropagation();
      ev.preventDefault();
      const card = button.closest(".svc");
      open(latest(service), (card && card.querySelector(".name").textContent) || name);
    };
    button.addEventListener("click", go);
    button.addEventListener("pointerup", (ev) => ev.stopPropagation());  // not a swipe of the card list
    button.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") go(ev); });
    return button;
  }

  // The header's notice: "Semua layanan GRATIS" is only true when no service has an official fee.
  function header(services) {
    const line = document.querySelector("header .free");
    if (!line || !panel()) return;
    const paid = services.some((s) => s.standard && s.standard.fee_rupiah > 0);
    line.textContent = paid ? words("headerPaid") : words("headerFree");
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("std-close").addEventListener("click", close);
    panel().addEventListener("click", (ev) => { if (ev.target === panel()) close(); });
    $("std-take").addEventListener("click", () => {
      const service = shown;
      close();
      if (service && window.ptspKiosk) window.ptspKiosk.issue(service.id);
    });
    document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") close(); });
  });

  window.ptspStandard = { trigger, header, open, close };
}());
