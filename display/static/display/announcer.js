/* Plays calls one after another, never overlapping: chime, then speech (an Indonesian browser voice,
   else espeak-ng audio from the server, else the chime alone). */
(function () {
  "use strict";
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  function playAudio(url, limitMs) {
    return new Promise((resolve) => {
      const audio = new Audio(url);
      const done = () => resolve();
      audio.addEventListener("ended", done);
      audio.addEventListener("error", done);
      setTimeout(done, limitMs);
      audio.play().catch((err) => { if (err && err.name === "NotAllowedError") Announcer.blocked = true; done(); });
    });
  }

  function indonesianVoice() {
    if (!("speechSynthesis" in window)) return null;
    const voices = speechSynthesis.getVoices();
    return voices.find((v) => v.lang === "id-ID") || voices.find((v) => /^id|^in/i.test(v.lang)) || null;
  }

  function browserSpeak(text, voice) {
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      utterance.onend = utterance.onerror = () => resolve();
      setTimeout(resolve, Math.max(5000, text.length * 150));  // some engines never fire onend
      speechSynthesis.speak(utterance);
    });
  }

  const Announcer = {
    queue: [], playing: false, log: [], blocked: false, gapMs: 500,
    chimeUrl: "chime.wav", speechUrl: null,
    engine() {
      if (indonesianVoice()) return "browser";
      return this.speechUrl ? "espeak-ng" : "chime";
    },
    chime() { return playAudio(this.chimeUrl, 2500); },
    speak(text) {
      const voice = indonesianVoice();
      if (voice) return browserSpeak(text, voice);
      if (this.speechUrl) return playAudio(this.speechUrl(text), 15000);
      return Promise.resolve();
    },
    enqueue(item) {
      this.queue.push(item);
      this.log.push({ event: "queued", text: item.text, at: performance.now() });
      if (!this.playing) this.pump();
    },
    async pump() {
      this.playing = true;
      while (this.queue.length) {
        const item = this.queue.shift();
        this.log.push({ event: "start", text: item.text, at: performance.now() });
        if (item.onStart) item.onStart();
        await this.chime();
        await this.speak(item.text);
        this.log.push({ event: "end", text: item.text, at: performance.now() });
        await sleep(this.gapMs);
      }
      this.playing = false;
    },
  };
  window.Announcer = Announcer;
})();
