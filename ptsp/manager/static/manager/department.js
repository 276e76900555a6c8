// A department's desk: list its referrals and report progress, with the token from the URL fragment.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("desk-config").textContent);
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const body = document.querySelector("#desk tbody");
  const t = window.PTSPText.t;
  const label = (s) => cfg.labels[s] || s;
  const when = (iso) => window.PTSPText.time(new Date(iso), { dateStyle: "short", timeStyle: "short" });
  const say = (text) => { document.getElementById("desk-message").textContent = text || ""; };

  function nextSteps(status) {
    if (status === "done" || status === "returned") return [];
    if (status === "referred") return ["received", "returned"];
    return [...cfg.steps.slice(cfg.steps.indexOf(status) + 1), "returned"];
  }

  function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }

  function row(r) {
    const tr = document.createElement("tr");
    tr.dataset.referral = r.id;
    if (r.breached) tr.className = "overdue";
    [when(r.referred_at), r.office_name, r.ticket_code || "–", r.note, label(r.status), when(r.due_at)]
      .forEach((text) => tr.appendChild(cell(text)));
    const td = document.createElement("td");
    const steps = nextSteps(r.status);
    if (steps.length) {
      const select = document.createElement("select");
      steps.forEach((s) => { const o = document.createElement("option"); o.value = s; o.textContent = label(s); select.appendChild(o); });
      const note = document.createElement("input");
      note.placeholder = t("note");
      note.maxLength = 1000;
      const button = document.createElement("button");
      button.textContent = t("send");
      button.className = "primary";
      button.addEventListener("click", () => report(r.id, select.value, note.value));
      td.append(select, note, button);
    }
    tr.appendChild(td);
    return tr;
  }

  async function load() {
    const response = await fetch("/api/v1/department/referrals", { headers });
    const data = await response.json();
    if (!response.ok) { say(data.message); return; }
    document.getElementById("dept-name").textContent = data.department.name;
    body.replaceChildren(...data.referrals.map(row));
    window.ptspDesk = data;
  }

  async function report(id, status, note) {
    const response = await window.ptspFetch(`/api/v1/referrals/${id}/progress`, {
      method: "POST", headers, body: JSON.stringify(note.trim() ? { status, note: note.trim() } : { status }),
    });
    const data = await response.json();
    say(response.ok ? "" : data.message);
    await load();
  }

  load();
})();
