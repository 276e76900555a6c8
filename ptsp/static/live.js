/* Shared by the station screens: follow an office's numbered facts without missing or repeating one.
   Every numbered fact
   of the catalogue advances the seq, handled or not; a fact at or below the last seq is a duplicate and is dropped; a gap asks the server for a snapshot. */
(function () {
  "use strict";
  // The numbered facts come from the server's catalogue (ptsp/facts.py, served as /live/facts.js).
  const FACTS = window.PTSPFacts.numbered;

  function uuid4() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function follow(socket, handlers) {
    const live = { seq: null, snapshots: 0 };
    function snapshot(state, reason) {
      live.seq = state.seq;
      live.snapshots += 1;
      handlers.onSnapshot(state, reason);
    }
    // A fresh snapshot: after a gap, or when a page asks for one (e.g. the office's counters changed).
    function resync(reason) {
      socket.timeout(5000).emit("resync", {}, (err, state) => {
        if (!err && state && typeof state.seq === "number") snapshot(state, reason || "gap");
      });
    }
    live.resync = resync;
    socket.on("snapshot", (state) => snapshot(state, "connect"));
    FACTS.forEach((name) => socket.on(name, (fact) => {
      if (live.seq === null || fact.seq <= live.seq) return;
      if (fact.seq > live.seq + 1) { resync(); return; }
      live.seq = fact.seq;
      handlers.onFact(name, fact);
    }));
    return live;
  }

  window.PTSPLive = { follow, uuid4 };
})();
