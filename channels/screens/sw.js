"use strict";
// The offline copy of one waiting-room screen. Served as /screens/<id>/sw.js beside the page, so
// its scope is /screens/<id>/ (the stable address: the folder behind it is swapped per version).
// It keeps the page and the last good playlist.json in a cache: always the network first, and
// the cached copy only when the network fails, times out or answers 5xx, so a kiosk that reloads
// or reboots with no network shows its last good playlist instead of an error page. The page
// itself still hides every slide past its dates by the screen's own clock. Same origin only;
// nothing else is touched.
var SCOPE = self.registration.scope;
var PATH = new URL(SCOPE).pathname;
var PAGE = SCOPE;
var PLAYLIST = new URL("playlist.json", SCOPE).href;
var CACHE = "veerkracht-screen " + SCOPE;
var HTML = "text/html; charset=utf-8";
var JSON_TYPE = "application/json";
// A server that accepts but never answers: give up and use the copy. The number is the screen's
// offline_wait_seconds from screens.yaml, written in by channels/screens/page.py.
var WAIT_MS = 8000;

function usablePage(text, response) {
  var type = response.headers.get("Content-Type") || "";
  return type.indexOf("text/html") === 0 && text.indexOf("playlist-data") >= 0;
}

function usablePlaylist(text) {
  try {
    var data = JSON.parse(text);
    return !!data && typeof data === "object" && Array.isArray(data.slides);
  } catch (e) {
    return false;
  }
}

function keep(key, response, type) {
  // Only a complete, usable answer replaces the copy: a broken playlist never does.
  if (!response.ok || response.redirected || response.type !== "basic") return Promise.resolve();
  return response.clone().text().then(function (text) {
    var good = key === PAGE ? usablePage(text, response) : usablePlaylist(text);
    if (!good) return undefined;
    var copy = new Response(text, { status: 200, headers: { "Content-Type": type } });
    return caches.open(CACHE).then(function (cache) { return cache.put(key, copy); });
  });
}

function fromNetwork(request, key, type) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, WAIT_MS);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      if (response.status >= 500) {
        reject(new Error("HTTP " + response.status));
        return;
      }
      keep(key, response, type).catch(function () {}).then(function () { resolve(response); });
    }, function (error) {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function networkFirst(request, key, type) {
  return fromNetwork(request, key, type).catch(function (error) {
    return caches.open(CACHE)
      .then(function (cache) { return cache.match(key); })
      .then(function (copy) {
        if (copy) return copy;
        throw error;  // nothing kept yet: the browser's own error, as without a worker
      });
  });
}

self.addEventListener("install", function (event) {
  // Keep a copy at once, so even the first reload offline works; a failure is no reason not to
  // install (the fetch handler keeps copies from then on).
  event.waitUntil(
    Promise.all([
      fetch(PAGE, { cache: "no-store" }).then(function (r) { return keep(PAGE, r, HTML); }),
      fetch(PLAYLIST, { cache: "no-store" }).then(function (r) {
        return keep(PLAYLIST, r, JSON_TYPE);
      })
    ]).catch(function () {}).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = url.pathname === PATH || url.pathname === PATH + "index.html";
  if (request.mode === "navigate" && page) {
    event.respondWith(networkFirst(request, PAGE, HTML));
  } else if (url.pathname === PATH + "playlist.json") {
    event.respondWith(networkFirst(request, PLAYLIST, JSON_TYPE));
  }
});
