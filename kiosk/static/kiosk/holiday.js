/* The kiosk's holiday screen (kiosk/holiday.py): fills #holiday from /kiosk/state's `closed_day`, whose title and
   text the server already wrote in the page's language. kiosk.js shows the section instead of the tiles. */
(function () {
  "use strict";
  window.PTSPKioskHoliday = {
    fill(closed) {
      document.getElementById("holiday-title").textContent = closed.title;
      document.getElementById("holiday-text").textContent = closed.text;
      document.getElementById("holiday").dataset.kind = closed.kind;
      document.getElementById("holiday").dataset.day = closed.day;
    },
  };
})();
