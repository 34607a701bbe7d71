// casus dashboard: live updates. Written for casus (no framework, no
// network beyond this server). Listens to /api/events and, when an entry is
// appended, fetches the current page again and swaps in its <main>, so every
// open dashboard shows a new act within a second. Pages work without it.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) return;
  var live = document.getElementById("live");
  var pending = false;
  function refresh() {
    if (pending) return;
    pending = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("main");
        var main = document.getElementById("main");
        if (fresh && main) main.innerHTML = fresh.innerHTML;
        var head = doc.body.getAttribute("data-head");
        if (head) {
          document.body.setAttribute("data-head", head);
          var h = document.getElementById("head");
          if (h) h.textContent = head;
        }
        if (live) { live.classList.add("flash"); setTimeout(function () { live.classList.remove("flash"); }, 800); }
      })
      .catch(function () {})
      .then(function () { pending = false; });
  }
  var es = null;
  function connect() {
    if (es) return;
    es = new EventSource("/api/events");
    es.addEventListener("entry", refresh);
    es.addEventListener("lagged", refresh);
    es.onopen = function () { if (live) live.classList.add("on"); };
    es.onerror = function () { if (live) live.classList.remove("on"); };
  }
  // Close the stream when the page is left: a browser keeps at most six
  // connections per server, and a page kept in the back-forward cache would
  // otherwise hold one open for good.
  window.addEventListener("pagehide", function () { if (es) { es.close(); es = null; } });
  window.addEventListener("pageshow", function (e) { if (e.persisted) { connect(); refresh(); } });
  connect();
})();
