/* The phone ticket page: filter the services as the resident types, and send one tap only. */
(function () {
  "use strict";
  const search = document.getElementById("search");
  if (search) {
    const items = Array.from(document.querySelectorAll(".service"));
    const groups = Array.from(document.querySelectorAll("[data-group]"));
    search.addEventListener("input", () => {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      items.forEach((item) => {
        const match = words.every((word) => item.dataset.name.includes(word));
        item.hidden = !match;
        if (match) shown += 1;
      });
      groups.forEach((group) => { group.hidden = !group.querySelector(".service:not([hidden])"); });
      document.getElementById("no-match").hidden = shown > 0;
    });
  }
  document.querySelectorAll(".service form").forEach((form) => {
    form.addEventListener("submit", () => {
      document.querySelectorAll(".take").forEach((button) => { button.disabled = true; });
    });
  });
})();
