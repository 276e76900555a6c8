/* "Darurat…" (docs/urgent.md): ask for urgency on the picked waiting ticket, or for a new desk ticket of a service,
   over REST (POST /api/v1/urgent). A clerk's request waits for a supervisor; a supervisor's is signed off. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { t } = window.PTSPText;
  const counter = () => window.ptspCounter && window.ptspCounter.state;

  function open() {
    const state = counter();
    if (!state) return;
    const picked = state.picked;
    $("urgent-message").textContent = "";
    $("urgent-note").value = "";
    $("urgent-target").textContent = picked ? t("urgent_for_ticket", { code: picked.code }) : t("urgent_new_ticket");
    $("urgent-service-label").hidden = !!picked;
    const lang = window.PTSPText.lang;
    $("urgent-service").replaceChildren(...state.services.map(
      (s) => new Option(`${s.prefix} · ${s.name[lang] || s.name.id}`, String(s.id))));
    $("urgent-dialog").showModal();
    $("urgent-reason").focus();
  }

  async function send(event) {
    event.preventDefault();
    const state = counter();
    const picked = state.picked;
    const note = $("urgent-note").value.trim();
    const reason = $("urgent-reason").value;
    if (reason === "other" && !note) { $("urgent-message").textContent = t("urgent_note_needed"); return; }
    const body = { reason, note: note || null };
    if (picked) body.ticket = picked.id; else body.service = Number($("urgent-service").value);
    $("urgent-send").disabled = true;
    const response = await window.ptspFetch("/api/v1/urgent", {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    $("urgent-send").disabled = false;
    if (!response.ok) { $("urgent-message").textContent = answer.message; return; }
    $("urgent-dialog").close();
    state.picked = null;
    $("message").textContent = t(answer.state === "approved" ? "urgent_sent_approved" : "urgent_sent_pending",
      { code: answer.code });
    $("message").className = "message";
    window.ptspLastUrgent = answer;
  }

  // The supervisor's decision on this screen's last request replaces the "waiting for sign-off" line.
  if (window.ptspCounter) {
    window.ptspCounter.socket.on("urgent_changed", (fact) => {
      const mine = window.ptspLastUrgent;
      if (!mine || !fact.urgent || fact.urgent.id !== mine.id || fact.urgent.state === "pending") return;
      $("message").textContent = t(fact.urgent.state === "approved" ? "urgent_sent_approved" : "urgent_declined",
        { code: mine.code });
      $("message").className = fact.urgent.state === "approved" ? "message" : "message error";
    });
  }
  $("urgent").addEventListener("click", open);
  $("urgent-form").addEventListener("submit", send);
  $("urgent-cancel").addEventListener("click", () => $("urgent-dialog").close());
  $("urgent-note").addEventListener("input", () => { $("urgent-message").textContent = ""; });
  // The counter's single-key shortcuts must not fire while the dialog is open.
  $("urgent-dialog").addEventListener("keydown", (e) => e.stopPropagation());
})();
