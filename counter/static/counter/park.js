/* Parked tickets and late residents (docs/queue.md): "Tunda: berkas kurang" for the ticket being served, this
   counter's parked tickets with "Kembali", and the missed calls of its services with "Sisipkan". The lists come
   with the counter's state (counter.js `refresh`); the commands go over the same socket with request ids. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { t, number } = window.PTSPText;
  const counter = () => window.ptspCounter;
  const staff = JSON.parse($("ptsp-config").textContent).staff;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => { node[key] = value; });
    node.append(...children);
    return node;
  }

  function mine() {
    const s = counter().state;
    const c = s.counters.find((x) => x.id === s.counterId);
    return { s, c, own: !!c && c.staff === staff };
  }

  async function run(action, extra, key) {
    const answer = await counter().send(action, extra, key);
    if (answer && !answer.error) counter().refresh();
  }

  function parkedItem(p, own) {
    const when = p.overdue ? t("park_overdue", { time: p.until }) : t("park_until", { time: p.until });
    const back = el("button", { type: "button", className: "primary", textContent: t("park_return"),
      disabled: !own || p.overdue });
    back.dataset.id = String(p.id);
    back.addEventListener("click", () => run("return_parked", { ticket: p.id }, `return_parked:${p.id}`));
    return el("li", { className: p.overdue ? "overdue" : "" }, el("b", {}, p.code), el("span", { className: "when" }, when), back);
  }

  function missedItem(m, own, counterId) {
    const label = m.status === "no_show" ? t("missed_no_show") : t("missed_requeued");
    const add = el("button", { type: "button", textContent: t("reinsert"), disabled: !own });
    add.dataset.id = String(m.id);
    add.addEventListener("click", () => run("reinsert", { counter: counterId, ticket: m.id }, `reinsert:${m.id}`));
    return el("li", {}, el("b", {}, m.code), el("span", { className: "when" }, label), add);
  }

  let shown = "";
  function sync() {
    if (!counter()) return;
    const { s, c, own } = mine();
    const cur = s.current;
    $("park").disabled = !own || !cur || cur.status !== "serving";
    const parked = (s.parked || []).filter((p) => c && p.counter === c.id);
    const services = new Set(c ? c.services : []);
    const missed = (s.missed || []).filter((m) => services.has(m.service));
    const key = JSON.stringify([c && c.id, own, parked, missed, s.reinsertPlaces]);
    if (key === shown) return;
    shown = key;
    $("parked-count").textContent = number(parked.length);
    $("parked").replaceChildren(...(parked.length ? parked.map((p) => parkedItem(p, own))
      : [el("li", { className: "none" }, t("none_parked"))]));
    $("missed-box").hidden = !s.reinsertPlaces;
    $("missed-hint").textContent = t("reinsert_hint", { places: number(s.reinsertPlaces || 0) });
    $("missed-count").textContent = number(missed.length);
    $("missed").replaceChildren(...(missed.length ? missed.map((m) => missedItem(m, own, c.id))
      : [el("li", { className: "none" }, t("none_missed"))]));
  }
  setInterval(sync, 300);

  $("park").addEventListener("click", () => {
    const cur = counter().state.current;
    if (cur && cur.status === "serving") run("park", { ticket: cur.id });
  });
})();
