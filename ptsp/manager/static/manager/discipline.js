// The discipline page hears `violation_detected` (the server's scan, every minute) for its offices and says
// that there is something new: the fact carries only ids; what this reader may see comes with the reload.
(function () {
  "use strict";
  const box = document.getElementById("live-violations");
  if (!box || !window.io) return;
  const socket = io({ auth: { scope: "dashboard" } });
  socket.on("violation_detected", (fact) => {
    const wanted = box.dataset.office;
    if (wanted && String(fact.office) !== wanted) return;
    box.hidden = false;
  });
})();
