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

/* `ptspFetch(url, options)`: `fetch` that proves a state-changing request comes from this site's own page. Every
   page carries its session's CSRF token in <meta name="csrf-token">; a POST, PUT, PATCH or DELETE sends it as
   the X-CSRFToken header (ptsp/cross_site.py refuses such a request without it unless it is authenticated by
   an Authorization header). Loaded by every page, so stations and manager pages share this one copy. */
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta ? meta.content : "";
  const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

  function ptspFetch(url, options) {
    const opts = { credentials: "same-origin", ...(options || {}) };
    if (UNSAFE.has(String(opts.method || "GET").toUpperCase()) && token) {
      const headers = new Headers(opts.headers || {});
      headers.set("X-CSRFToken", token);
      opts.headers = headers;
    }
    return fetch(url, opts);
  }

  window.ptspFetch = ptspFetch;
})();
