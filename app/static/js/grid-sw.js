// Service worker of the grid worker app: keeps the app shell so it opens without signal.
// Pages: network first, the cached copy when offline. Static files: from the cache, refreshed behind. Reports (POST)
// are never touched here: the page keeps them in IndexedDB and sends them itself.
"use strict";
var CACHE = "onedoor-grid-v2";
var SHELL = ["/grid/", "/grid/manifest.webmanifest", "/static/css/onedoor.css", "/static/js/grid-app.js",
             "/static/js/layout.js", "/static/img/grid-icon.svg"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key !== CACHE; })
      .map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      // Only the app itself is kept: a lapsed session answers with a redirect to the sign-in page
      // (opaque for navigations, `redirected` if followed), which must never replace the cached app.
      if (response.ok && !response.redirected && response.type === "basic") {
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) { return hit || caches.match("/grid/"); });
    }));
    return;
  }
  // Stale while revalidate: answer from the cache at once, refresh it for next time.
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      if (hit) { fresh.catch(function () { return hit; }); return hit; }
      return fresh;
    });
  }));
});
