/* "Rujuk ke dinas": refer the current ticket's case to a department over REST (POST /api/v1/referrals). */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const TEXT = {
    id: { button: "Rujuk ke dinas", title: "Rujuk ke dinas", department: "Dinas tujuan", note: "Uraian kasus",
      hint: "Dinas wajib merespons dalam 1×24 jam.", send: "Kirim rujukan", cancel: "Batal",
      none: "Belum ada dinas untuk kantor ini.", empty: "Isi uraian kasus.", sent: "Dirujuk ke", due: "respons paling lambat" },
    en: { button: "Refer to department", title: "Refer to department", department: "Department", note: "Case summary",
      hint: "The department must respond within 1×24 hours.", send: "Send referral", cancel: "Cancel",
      none: "No departments for this office yet.", empty: "Describe the case.", sent: "Referred to", due: "response due by" },
  };
  const lang = () => (document.documentElement.lang === "en" ? "en" : "id");
  const say = (key) => TEXT[lang()][key];
  const current = () => (window.ptspCounter && window.ptspCounter.state.current) || null;
  let departments = [];

  function translate() {
    document.querySelectorAll("[data-refer-i18n]").forEach((el) => { el.textContent = say(el.dataset.referI18n); });
  }

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
    $("refer-department").innerHTML = departments.map((d) => `<option value="${d.id}"></option>`).join("");
    $("refer-department").querySelectorAll("option").forEach((o, i) => { o.textContent = departments[i].name; });
    if (!departments.length) $("refer-message").textContent = say("none");
    $("refer-send").disabled = !departments.length;
    $("refer-dialog").showModal();
    $("refer-note").focus();
  }

  async function send(event) {
    event.preventDefault();
    const ticket = current();
    const note = $("refer-note").value.trim();
    if (!note) { $("refer-message").textContent = say("empty"); return; }
    $("refer-send").disabled = true;
    const response = await fetch("/api/v1/referrals", {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ticket: ticket.id, department: Number($("refer-department").value), note }),
    });
    const answer = await response.json();
    $("refer-send").disabled = false;
    if (!response.ok) { $("refer-message").textContent = answer.message; return; }
    $("refer-dialog").close();
    $("outcome").value = "dirujuk";
    const due = new Date(answer.due_at).toLocaleString(lang() === "en" ? "en-GB" : "id-ID",
      { dateStyle: "medium", timeStyle: "short" });
    $("message").textContent = `${ticket.code}: ${say("sent")} ${answer.department_name} (#${answer.id}); ${say("due")} ${due}`;
    $("message").className = "message";
    window.ptspLastReferral = answer;
  }

  $("refer").addEventListener("click", open);
  $("refer-form").addEventListener("submit", send);
  $("refer-cancel").addEventListener("click", () => $("refer-dialog").close());
  $("refer-note").addEventListener("input", () => { $("refer-message").textContent = ""; });
  // The counter's single-key shortcuts (N, S, D, X, T…) must not fire while the dialog is open.
  $("refer-dialog").addEventListener("keydown", (e) => e.stopPropagation());
  $("lang").addEventListener("click", () => setTimeout(translate, 0));
  translate();
})();
