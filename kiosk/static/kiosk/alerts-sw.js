/* The status pages' service worker: shows an alert pushed by the server (ptsp/notify/webpush.py) while the
   resident's page is closed, and opens that page when the notification is tapped. It caches nothing. */
"use strict";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let alert = {};
  try { alert = event.data ? event.data.json() : {}; } catch (e) { alert = {}; }
  const title = alert.title || "Antrean";
  event.waitUntil(self.registration.showNotification(title, {
    body: alert.text || "",
    tag: alert.key || undefined,  // a repeat of the same alert replaces the first, never piles up
    renotify: alert.event === "called",
    requireInteraction: alert.event === "called",
    vibrate: [400, 200, 400, 200, 400],
    data: { url: alert.url || null },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((clients) => {
    const open = clients.find((client) => url && new URL(client.url).pathname === url);
    if (open) return open.focus();
    return url ? self.clients.openWindow(url) : undefined;
  }));
});
