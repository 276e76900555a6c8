/* "Rujuk ke dinas": refer the current ticket's case to a department over REST (POST /api/v1/referrals). */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { t, time } = window.PTSPText;
  const current = () => (window.ptspCounter && window.ptspCounter.state.current) || null;
  let departments = [];

  function sync() { $("refer").disabled = !current(); }
  setInterval(sync, 300);

  async function open() {
    const ticket = current();
    if (!ticket) return;
    $("refer-ticket").textContent = `· ${ticket.code}`;
    $("refer-message").textContent = "";
    $("refer-note").value = "";
    const response = await fetch("/api/v1/departments", { credentials: "same-origin" });
    departments = response.ok ? await response.json() : [];
    $("refer-department").replaceChildren(...departments.map((d) => new Option(d.name, String(d.id))));
    if (!departments.length) $("refer-message").textContent = t("no_departments");
    $("refer-send").disabled = !departments.length;
    $("refer-dialog").showModal();
    $("refer-note").focus();
  }

  async function send(event) {
    event.preventDefault();
    const ticket = current();
    const note = $("refer-note").value.trim();
    if (!note) { $("refer-message").textContent = t("note_needed"); return; }
    $("refer-send").disabled = true;
    const response = await window.ptspFetch("/api/v1/referrals", {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ticket: ticket.id, department: Number($("refer-department").value), note }),
    });
    const answer = await response.json();
    $("refer-send").disabled = false;
    if (!response.ok) { $("refer-message").textContent = answer.message; return; }
    $("refer-dialog").close();
    $("outcome").value = "dirujuk";
    const due = time(new Date(answer.due_at), { dateStyle: "medium", timeStyle: "short" });
    $("message").textContent = t("referred", { code: ticket.code, department: answer.department_name, id: answer.id, due });
    $("message").className = "message";
    window.ptspLastReferral = answer;
  }

  $("refer").addEventListener("click", open);
  $("refer-form").addEventListener("submit", send);
  $("refer-cancel").addEventListener("click", () => $("refer-dialog").close());
  $("refer-note").addEventListener("input", () => { $("refer-message").textContent = ""; });
  // The counter's single-key shortcuts (N, S, D, X, T…) must not fire while the dialog is open.
  $("refer-dialog").addEventListener("keydown", (e) => e.stopPropagation());
})();
