// versioner: small enhancements on top of pages that work without them.
// Times in the reader's time zone; on diff pages, the inline / side-by-side toggle and
// next/previous change navigation with j/n and k/p.
(function () {
  "use strict";

  function localTimes() {
    var full = new Intl.DateTimeFormat(undefined, {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    var short = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    document.querySelectorAll("time[datetime]").forEach(function (el) {
      var moment = new Date(el.getAttribute("datetime"));
      if (isNaN(moment.getTime())) return;
      el.title = el.textContent;
      el.textContent = (el.hasAttribute("data-short") ? short : full).format(moment);
    });
  }

  function diffPage(diff) {
    var toggle = document.querySelector("[data-view-toggle]");
    var chooserView = document.querySelector(".chooser input[name=view]");
    var changes = Array.prototype.slice.call(diff.querySelectorAll("[data-change]"));
    var position = document.querySelector("[data-position]");
    var navLinks = document.querySelectorAll("[data-nav]");
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var current = -1;

    function setView(view, href) {
      diff.classList.toggle("view-inline", view === "inline");
      diff.classList.toggle("view-side", view === "side");
      toggle.querySelectorAll("a[data-view]").forEach(function (link) {
        if (link.dataset.view === view) link.setAttribute("aria-current", "true");
        else link.removeAttribute("aria-current");
      });
      if (chooserView) chooserView.value = view;
      history.replaceState(null, "", href);
    }

    function show(index) {
      if (!changes.length) return;
      current = Math.max(0, Math.min(changes.length - 1, index));
      var target = changes[current];
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
      label();
    }

    function label() {
      if (position && current >= 0) position.textContent = "Change " + (current + 1) + " of " + changes.length;
      navLinks.forEach(function (link) {
        var step = link.dataset.nav === "next" ? 1 : -1;
        var next = changes[Math.max(0, Math.min(changes.length - 1, current + step))];
        if (next) link.setAttribute("href", "#" + next.id);
      });
    }

    if (toggle) {
      toggle.addEventListener("click", function (event) {
        var link = event.target.closest("a[data-view]");
        if (!link) return;
        event.preventDefault();
        setView(link.dataset.view, link.href);
      });
    }
    navLinks.forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(current + (link.dataset.nav === "next" ? 1 : -1));
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.target.closest && event.target.closest("input, select, textarea, [contenteditable]")) return;
      if (event.key === "j" || event.key === "n") {
        event.preventDefault();
        show(current + 1);
      } else if (event.key === "k" || event.key === "p") {
        event.preventDefault();
        show(current - 1);
      }
    });
    diff.addEventListener("focusin", function (event) {
      var index = changes.indexOf(event.target.closest("[data-change]"));
      if (index >= 0) {
        current = index;
        label();
      }
    });
  }

  localTimes();
  var diff = document.querySelector("[data-diff]");
  if (diff) diffPage(diff);
})();
