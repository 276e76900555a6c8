// Bahasa Indonesia first; the EN button swaps every [data-id]/[data-en] pair and remembers the choice.
(function () {
  "use strict";
  const root = document.documentElement;
  let lang = "id";
  try { lang = localStorage.getItem("ptsp.lang") || "id"; } catch (e) { /* storage may be off */ }
  function apply() {
    root.lang = lang;
    root.dataset.lang = lang;
    const button = document.querySelector("[data-lang-toggle]");
    if (button) button.textContent = lang === "id" ? "EN" : "ID";
  }
  apply();
  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-lang-toggle]")) return;
    lang = lang === "id" ? "en" : "id";
    try { localStorage.setItem("ptsp.lang", lang); } catch (e) { /* ignore */ }
    apply();
  });
})();
