/* "Langkah berikutnya": plan the services a visit goes through after this counter (docs/steps.md), sent as the
   counter's `plan_steps` command. The plan is shown under the actions while the ticket is at this counter. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { t } = window.PTSPText;
  const lang = window.PTSPText.lang;
  const MAX_AFTER = 5;  // six steps in all, the current one included
  const counter = () => window.ptspCounter;
  const current = () => (counter() && counter().state.current) || null;

  function name(id) {
    const s = (counter() ? counter().state.services : []).find((x) => x.id === id);
    return s ? `${s.prefix} · ${s.name[lang] || s.name.id}` : String(id);
  }

  let shown = "";
  function sync() {
    const ticket = current();
    $("plan-steps").disabled = !ticket;
    const plan = ticket && ticket.next_steps && ticket.next_steps.length ? ticket.next_steps.map(name).join(" → ") : "";
    if (plan === shown) return;
    shown = plan;
    $("steps-plan").hidden = !plan;
    $("steps-plan").textContent = plan ? t("steps_plan", { steps: plan }) : "";
  }
  setInterval(sync, 300);

  function choice(index, chosen, ticket) {
    const select = document.createElement("select");
    select.id = `step-${index}`;
    select.append(new Option(t("steps_none"), ""));
    counter().state.services.filter((s) => s.active !== false && s.id !== ticket.service)
      .forEach((s) => select.append(new Option(name(s.id), String(s.id))));
    select.value = chosen ? String(chosen) : "";
    const item = document.createElement("li");
    item.append(select);
    return item;
  }

  function open() {
    const ticket = current();
    if (!ticket) return;
    $("steps-ticket").textContent = `· ${ticket.code}`;
    $("steps-message").textContent = "";
    const planned = ticket.next_steps || [];
    $("steps-choices").replaceChildren(...Array.from({ length: MAX_AFTER }, (_, i) => choice(i, planned[i], ticket)));
    $("steps-dialog").showModal();
    $("step-0").focus();
  }

  async function send(event) {
    event.preventDefault();
    const ticket = current();
    if (!ticket) { $("steps-dialog").close(); return; }
    const services = Array.from($("steps-choices").querySelectorAll("select"), (s) => Number(s.value)).filter(Boolean);
    $("steps-send").disabled = true;
    const answer = await counter().send("plan_steps", { ticket: ticket.id, services });
    $("steps-send").disabled = false;
    if (answer.error) { $("steps-message").textContent = answer.message; return; }
    $("steps-dialog").close();
    $("message").textContent = t("steps_saved", { code: ticket.code });
    $("message").className = "message";
    sync();
  }

  $("plan-steps").addEventListener("click", open);
  $("steps-form").addEventListener("submit", send);
  $("steps-cancel").addEventListener("click", () => $("steps-dialog").close());
  // The counter's single-key shortcuts (N, S, D, X, T…) must not fire while the dialog is open.
  $("steps-dialog").addEventListener("keydown", (e) => e.stopPropagation());
})();
