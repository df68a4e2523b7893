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
    [["scherm/index.html", "dia", "voorbeeld-scherm"],
     ["nieuwsbrief.html", "nieuwsbrief", "voorbeeld-nieuwsbrief"]].forEach(function (p) {
      var url = answer.previews[p[0]];
      var frame = document.getElementById(p[1]);
      var link = document.getElementById(p[2]);
      if (url) {
        frame.src = url + "?t=" + Date.now();
        frame.hidden = false;
        link.href = url;
        link.hidden = false;
      }
    });
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
      if (mine === asked) {
        show(answer);
        // For bench/studio.py and tests: the findings and preview addresses are on the page.
        form.dispatchEvent(new CustomEvent("studio-updated", { detail: { sent: sent } }));
      }
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
