/* Shared by the kiosk and the resident's status page: text in both languages, and the ID/EN toggle.
   Every label is written twice (`bi`), and the body's `lang-en` class picks which one shows, so a
   switch never re-renders or re-fetches anything. */
(function () {
  "use strict";
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
    "'": "&#39;" })[c]);
  const bi = (id, en) => `<span data-id>${esc(id)}</span><span data-en>${esc(en)}</span>`;

  // Wire the #lang-id / #lang-en buttons; `onChange(lang)` lets the page remember the choice.
  function toggle(onChange) {
    const set = (lang) => {
      document.documentElement.lang = lang;
      document.body.classList.toggle("lang-en", lang === "en");
      document.getElementById("lang-id").classList.toggle("on", lang === "id");
      document.getElementById("lang-en").classList.toggle("on", lang === "en");
      onChange(lang);
    };
    document.getElementById("lang-id").addEventListener("click", () => set("id"));
    document.getElementById("lang-en").addEventListener("click", () => set("en"));
  }

  window.PTSPBilingual = { esc, bi, toggle };
})();
