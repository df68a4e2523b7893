// Veerkracht Studio: character counters and live findings while you type (no libraries).
"use strict";
(function () {
  var form = document.getElementById("bewerk");
  document.querySelectorAll("[data-max]").forEach(function (field) {
    var out = document.getElementById("teller-" + field.id);
    var max = Number(field.getAttribute("data-max"));
    function count() {
      var n = field.value.trim().length;
      out.textContent = n + " van " + max + " tekens" + (n > max ? ": te lang" : "");
      out.classList.toggle("te-lang", n > max);
    }
    field.addEventListener("input", count);
    count();
  });
  if (!form) { return; }
  var list = document.getElementById("meldingen");
  var state = document.getElementById("stand");
  var body = document.getElementById("body");
  var timer = null;
  var asked = 0;
  var DEBOUNCE_MS = 300;  // the pause in typing before the text is checked
  form.setAttribute("data-debounce-ms", String(DEBOUNCE_MS));

  function goTo(line) {
    var lines = body.value.split("\n");
    var at = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { at += lines[i].length + 1; }
    body.focus();
    body.setSelectionRange(at, at + (lines[line - 1] || "").length);
  }

  function show(answer) {
    list.textContent = "";
    answer.findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = f.severity;
      var label = f.severity === "error" ? "Fout" : (f.severity === "warning" ? "Waarschuwing" : "Info");
      var where = document.createElement(f.body_line ? "button" : "span");
      where.textContent = f.where;
      if (f.body_line) {
        where.type = "button";
        where.addEventListener("click", function () { goTo(f.body_line); });
      }
      li.appendChild(where);
      li.appendChild(document.createTextNode(" " + label + " " + f.code + ": " + f.message));
      list.appendChild(li);
    });
    state.textContent = answer.findings.length === 0 ? "Geen meldingen." :
      answer.errors + " fout(en), " + (answer.findings.length - answer.errors) + " andere melding(en).";
  }

  // The preview frames: a frame whose preview did not change (same hash) is left alone; a page
  // without a script (the newsletter block) is put into its frame in place, keeping its scroll
  // position; any other page (the slide, with its player) is loaded by its address. Calls
  // done() once every frame shows the new preview.
  var FRAMES = [["scherm/index.html", "dia", "voorbeeld-scherm"],
                ["nieuwsbrief.html", "nieuwsbrief", "voorbeeld-nieuwsbrief"]];
  var showing = {};  // frame id -> hash of the preview it shows (or is loading)
  var loading = {};  // frame id -> true while its page loads

  function inPlace(frame, html) {
    var doc = frame.contentDocument;
    var win = frame.contentWindow;
    if (!doc || !win || doc.readyState !== "complete" || !doc.documentElement) { return false; }
    var x = win.scrollX, y = win.scrollY;
    // Parsed by the frame's own parser: its document has the frame's policy (style attributes
    // allowed, as in the renderers' pages), not the studio page's.
    var fresh = new win.DOMParser().parseFromString(html, "text/html");
    doc.replaceChild(doc.importNode(fresh.documentElement, true), doc.documentElement);
    win.scrollTo(x, y);
    return true;
  }

  function previews(answer, done) {
    var left = 1;
    var loads = [];  // the frames loaded by address (the others were left or updated in place)
    function one() { if (--left === 0) { done(loads); } }
    FRAMES.forEach(function (p) {
      var preview = answer.previews[p[0]];
      var frame = document.getElementById(p[1]);
      var link = document.getElementById(p[2]);
      if (!preview || showing[p[1]] === preview.hash) { return; }
      // In place only into a frame that has finished loading this page: a load still under
      // way would replace what was put in.
      var loaded = frame.getAttribute("data-src") === preview.url && !loading[p[1]];
      showing[p[1]] = preview.hash;
      link.href = preview.url;
      link.hidden = false;
      frame.hidden = false;
      if (preview.html !== null && loaded && inPlace(frame, preview.html)) { return; }
      left++;
      loads.push(p[1]);
      loading[p[1]] = true;
      frame.addEventListener("load", function () { loading[p[1]] = false; one(); },
        { once: true });
      frame.setAttribute("data-src", preview.url);
      frame.src = preview.url + "?v=" + preview.hash;
    });
    one();
  }

  function check() {
    var mine = ++asked;
    var sent = performance.now();
    var data = new URLSearchParams(new FormData(form));
    state.textContent = "Bezig met controleren...";
    fetch("/controleer", {
      method: "POST",
      headers: { "X-CSRF-Token": form.elements.csrf.value },
      body: data
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (answer) {
      if (mine !== asked) { return; }
      show(answer);
      var shown = performance.now();
      previews(answer, function (loads) {
        // For bench/studio.py and tests: the findings are on the page and every frame shows
        // the new preview.
        if (mine === asked) {
          form.dispatchEvent(new CustomEvent("studio-updated",
            { detail: { sent: sent, shown: shown, loaded: loads } }));
        }
      });
    }).catch(function () {
      if (mine === asked) { state.textContent = "De controle lukte niet; sla op en probeer het opnieuw."; }
    });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  });
  check();
})();
