/* "Catatan disiplin saya": the clerk's own violations (GET /api/v1/violations/mine) and their answer to each
   (PUT /api/v1/violations/{id}/answer), editable until a superior acknowledges it. Never anyone else's. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { t, number, time } = window.PTSPText;
  const labels = JSON.parse($("violation-labels").textContent);
  const REFRESH_MS = 60000;
  let rows = [];
  let answering = null;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clock(iso, zone) { return time(new Date(iso), { hour: "2-digit", minute: "2-digit", timeZone: zone }); }

  function item(v) {
    const li = el("li", v.acknowledgements.length ? "acknowledged" : "");
    li.dataset.violation = String(v.id);
    li.append(el("div", "what", labels[v.kind] || v.kind));
    li.append(el("div", "when", t("violation_line", {
      day: v.day, start: clock(v.started_at, v.timezone), end: clock(v.ended_at, v.timezone),
      minutes: number(Math.round(v.minutes)),
    })));
    li.append(v.answer ? el("div", "answer-text", t("your_answer", { text: v.answer.text }))
      : el("div", "muted", t("not_answered")));
    v.acknowledgements.forEach((a) => li.append(el("div", "ack", t("acknowledged_by", { name: a.by || "–", note: a.note }))));
    if (v.answer_editable) {
      const button = el("button", "answer-button", v.answer ? t("edit_answer") : t("answer"));
      button.type = "button";
      button.addEventListener("click", () => open(v));
      li.append(button);
    }
    return li;
  }

  function render() {
    const list = $("my-violations");
    list.replaceChildren(...(rows.length ? rows.map(item) : [el("li", "muted", t("no_violations"))]));
    const open = rows.filter((v) => !v.answer && v.answer_editable).length;
    $("my-violations-count").textContent = String(rows.length);
    $("my-violations-count").classList.toggle("some", open > 0);
  }

  async function load() {
    const response = await fetch("/api/v1/violations/mine", { credentials: "same-origin" });
    if (!response.ok) return;
    rows = await response.json();
    render();
  }

  function open(v) {
    answering = v;
    $("answer-what").textContent = `${labels[v.kind] || v.kind} · ${v.day}`;
    $("answer-text").value = v.answer ? v.answer.text : "";
    $("answer-message").textContent = "";
    $("answer-dialog").showModal();
    $("answer-text").focus();
  }

  async function send(event) {
    event.preventDefault();
    const text = $("answer-text").value.trim();
    if (!text) { $("answer-message").textContent = t("answer_needed"); return; }
    $("answer-send").disabled = true;
    try {
      const response = await window.ptspFetch(`/api/v1/violations/${answering.id}/answer`, {
        method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }),
      });
      const answer = await response.json();
      if (!response.ok) { $("answer-message").textContent = answer.message; return; }
      rows = rows.map((v) => (v.id === answer.id ? answer : v));
      render();
      $("answer-dialog").close();
      $("message").textContent = t("answer_saved");
      $("message").className = "message";
    } catch (_err) {
      $("answer-message").textContent = t("no_answer");
    } finally {
      $("answer-send").disabled = false;
    }
  }

  $("answer-form").addEventListener("submit", send);
  $("answer-cancel").addEventListener("click", () => $("answer-dialog").close());
  $("answer-text").addEventListener("input", () => { $("answer-message").textContent = ""; });
  // The counter's single-key shortcuts (N, S, D, X, T…) must not fire while typing an answer.
  $("answer-dialog").addEventListener("keydown", (e) => e.stopPropagation());
  window.ptspViolations = { load, rows: () => rows };
  load();
  setInterval(load, REFRESH_MS);
})();
