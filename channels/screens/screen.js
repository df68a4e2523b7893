(function () {
  "use strict";
  // Rotates the slides of this screen. Rules: each slide for its seconds in the planner's order;
  // never a slide outside its valid_from..valid_until, nor after its campaign's last day, by this
  // screen's own clock (in the playlist's timezone); outside opening hours the resting slide; a
  // broken slide is skipped; a failed refresh keeps the last good playlist; never a blank screen;
  // the outgoing slide fades out before the next fades in, so two texts never overlap. A service
  // worker (sw.js) keeps the page and the last good playlist for a reload with no network.
  var DAYS = { Mon: "ma", Tue: "di", Wed: "wo", Thu: "do", Fri: "vr", Sat: "za", Sun: "zo" };
  var DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
  var SPAN_RE = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/;
  var FADE_MS = 600;  // each way: out, then in (screen.css)
  var SVG_NS = "http://www.w3.org/2000/svg";
  var body = document.body;
  var stage = document.getElementById("stage");
  var query = new URLSearchParams(window.location.search);
  var refreshMs = 1000 * seconds(query.get("refresh"), seconds(body.getAttribute("data-refresh"), 300));
  var restMs = 1000 * seconds(query.get("rest"), seconds(body.getAttribute("data-rest"), 30));
  var playlistUrl = body.getAttribute("data-playlist") || "playlist.json";
  var themes = (body.getAttribute("data-themes") || "").split(" ");
  var restProto = stage.querySelector(".slide.rest").cloneNode(true);
  var playlist = parse(document.getElementById("playlist-data").textContent) || { slides: [] };
  var pending = null;
  var index = -1;
  var current = { key: "rest", node: stage.querySelector(".slide.rest") };
  var timer = 0;
  var formatter = makeFormatter(playlist.timezone);

  function seconds(value, fallback) {
    var n = Number(value);
    return value !== null && value !== "" && isFinite(n) && n >= 1 ? n : fallback;  // at least 1 s
  }

  function parse(text) {
    try {
      var data = JSON.parse(text);
      return usablePlaylist(data) ? data : null;
    } catch (e) {
      return null;
    }
  }

  function usablePlaylist(data) {
    return !!data && typeof data === "object" && Array.isArray(data.slides);
  }

  function makeFormatter(zone) {
    var options = {
      timeZone: typeof zone === "string" && zone ? zone : "Europe/Amsterdam",
      year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", weekday: "short", hourCycle: "h23"
    };
    try {
      return new Intl.DateTimeFormat("en-US", options);
    } catch (e) {
      options.timeZone = "Europe/Amsterdam";
      return new Intl.DateTimeFormat("en-US", options);
    }
  }

  function now() {
    var parts = {};
    formatter.formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return {
      date: parts.year + "-" + parts.month + "-" + parts.day,
      day: DAYS[parts.weekday],
      time: parts.hour + ":" + parts.minute
    };
  }

  function isOpen(hours, at) {
    // No opening hours configured means always open; a day not listed is closed.
    if (!hours || typeof hours !== "object" || Object.keys(hours).length === 0) return true;
    var span = hours[at.day];
    if (typeof span !== "string") return false;
    var m = SPAN_RE.exec(span.replace(/\s+/g, ""));
    if (!m) return true;  // unreadable hours: showing slides beats a screen stuck at rest
    return at.time >= m[1] && at.time < m[2];
  }

  function showable(slide, at) {
    if (!slide || typeof slide !== "object") return false;
    if (typeof slide.id !== "string" || !slide.id) return false;
    if (typeof slide.headline !== "string" || !slide.headline.trim()) return false;
    if (typeof slide.text !== "string") return false;
    if (typeof slide.seconds !== "number" || !(slide.seconds >= 1 && slide.seconds <= 600)) return false;
    if (slide.valid_from != null && (!DAY_RE.test(slide.valid_from) || at.date < slide.valid_from)) return false;
    if (slide.valid_until != null && (!DAY_RE.test(slide.valid_until) || at.date > slide.valid_until)) return false;
    var until = slide.campaign_until;  // the campaign's last day
    if (until != null && (!DAY_RE.test(until) || at.date > until)) return false;
    return true;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function address(text) {
    // Long addresses wrap after a slash, not in the middle of a word.
    var caption = el("figcaption", "short");
    text.split("/").forEach(function (part, i) {
      if (i > 0) {
        caption.appendChild(document.createTextNode("/"));
        caption.appendChild(document.createElement("wbr"));
      }
      caption.appendChild(document.createTextNode(part));
    });
    return caption;
  }

  function visual(theme) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "visual");
    svg.setAttribute("aria-hidden", "true");
    var use = document.createElementNS(SVG_NS, "use");
    use.setAttribute("href", "#v-" + theme);
    svg.appendChild(use);
    return svg;
  }

  function build(slide) {
    var theme = themes.indexOf(slide.theme) >= 0 ? slide.theme : "rest";
    var node = el("section", "slide theme-" + theme);
    node.setAttribute("data-slide-id", slide.id + (slide.lang ? "." + slide.lang : ""));
    if (typeof slide.lang === "string") node.setAttribute("lang", slide.lang);
    var copy = el("div", "copy");
    copy.appendChild(visual(theme));
    copy.appendChild(el("h1", "headline", slide.headline));
    copy.appendChild(el("p", "text", slide.text));
    node.appendChild(copy);
    if (slide.qr != null) {
      if (typeof slide.qr !== "string" || slide.qr.indexOf("<svg") !== 0) throw new Error("bad qr");
      var side = el("figure", "side");
      var img = el("img", "qr-code");
      img.alt = typeof slide.short_url === "string" ? slide.short_url : "";
      // As an image the SVG can never run script, whatever the playlist holds.
      img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(slide.qr);
      side.appendChild(img);
      if (typeof slide.short_url === "string") side.appendChild(address(slide.short_url));
      node.appendChild(side);
    }
    var campaign = typeof slide.campaign === "string" ? slide.campaign : playlist.campaign;
    node.appendChild(el("p", "foot", typeof campaign === "string" ? campaign : ""));
    return node;
  }

  function show(node, key, instant) {
    if (current.key === key && current.node.parentNode) return;
    var old = current;
    if (instant) node.classList.add("instant");
    stage.appendChild(node);
    void node.offsetWidth;  // commit the start state so the cross-fade runs
    node.classList.add("active");
    if (instant) setTimeout(function () { node.classList.remove("instant"); }, 50);
    current = { key: key, node: node };
    // Only the outgoing slide stays while it fades; nothing else piles up in the DOM.
    Array.prototype.forEach.call(stage.querySelectorAll(".slide.leaving"), function (n) {
      stage.removeChild(n);
    });
    if (old.node && old.node.parentNode) {
      if (instant) {
        stage.removeChild(old.node);
      } else {
        old.node.classList.remove("active");
        old.node.classList.add("leaving");
        setTimeout(function () {
          if (old.node.parentNode && old.node !== current.node) stage.removeChild(old.node);
        }, FADE_MS + 200);
      }
    }
  }

  function rest(instant) {
    if (current.key === "rest" && current.node.parentNode) return;
    show(restProto.cloneNode(true), "rest", instant);
  }

  function tick(instant) {
    clearTimeout(timer);
    var delay = restMs;
    try {
      if (pending) {
        playlist = pending;
        pending = null;
        index = -1;
      }
      var at = now();
      var slides = playlist.slides;
      var shown = false;
      if (isOpen(playlist.opening_hours, at)) {
        for (var n = 0; n < slides.length && !shown; n++) {
          index = (index + 1) % slides.length;
          var slide = slides[index];
          if (!showable(slide, at)) continue;
          try {
            show(build(slide), playlist.version + ":" + index + ":" + slide.id, instant);
            delay = slide.seconds * 1000;
            shown = true;
          } catch (e) {
            // A broken slide is skipped; the loop tries the next one.
          }
        }
      }
      if (!shown) rest(instant);
    } catch (e) {
      rest(instant);
    }
    timer = setTimeout(tick, delay);
  }

  function refresh() {
    // A server that accepts but never answers must not pile up requests: give up in time, but
    // not before the service worker has given up on the network and answered with its copy.
    var abort = typeof AbortController === "function" ? new AbortController() : null;
    var workerMs = 1000 * (Number(playlist.offline_wait_seconds) || 8) + 2000;
    var limit = Math.max(Math.min(refreshMs, 30000), workerMs);
    var guard = abort ? setTimeout(function () { abort.abort(); }, limit) : 0;
    fetch(playlistUrl, { cache: "no-store", credentials: "omit", signal: abort ? abort.signal : undefined })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (text) {
        var data = parse(text);
        if (!data) return;  // a broken playlist never replaces a good one
        if (data.version === playlist.version && !pending) return;
        pending = data;
        formatter = makeFormatter(data.timezone);
        if (current.key === "rest") tick(false);  // no need to wait out a resting period
      })
      .catch(function () {
        // Offline or server gone: keep rotating the last good playlist.
      })
      .then(function () { clearTimeout(guard); });
  }

  function keepOffline() {
    var worker = body.getAttribute("data-worker");
    var container = navigator.serviceWorker;
    if (!worker || !container) return;
    try {
      container.register(worker).catch(function () {});  // not here (file:, blocked): no matter
    } catch (e) {
      return;
    }
    // Under the worker this page may be an older copy than the last good playlist it kept.
    if (container.controller && typeof window.fetch === "function") refresh();
  }

  tick(true);
  if (typeof window.fetch === "function") setInterval(refresh, refreshMs);
  keepOffline();
})();
