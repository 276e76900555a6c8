/* A page's translated strings, rendered by the server from the gettext catalogues (`page_text` in
   ptsp/i18n): scripts never hold their own copy of a sentence. `t(key, params)` fills `%(name)s`
   placeholders the way Python's gettext strings do; numbers and times follow the page's language. */
(function () {
  "use strict";
  const node = document.getElementById("ptsp-text");
  const data = node ? JSON.parse(node.textContent) : { lang: document.documentElement.lang || "id", text: {} };
  const intlLocale = data.lang === "id" ? "id-ID" : data.lang;

  function t(key, params) {
    const template = Object.prototype.hasOwnProperty.call(data.text, key) ? data.text[key] : key;
    if (!params) return template;
    return template.replace(/%\((\w+)\)[sd]/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
  }

  const number = (value, options) => new Intl.NumberFormat(intlLocale, options).format(value);
  const time = (date, options) => new Intl.DateTimeFormat(intlLocale, options).format(date);

  window.PTSPText = { lang: data.lang, locale: intlLocale, t, number, time };
})();
