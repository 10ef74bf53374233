// Idle sign-out warning: shown SESSION_WARNING_MINUTES before the server session expires.
// "Stay signed in" makes a request, which pushes the session's expiry forward.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  if (!idle) { return; }
  var warnAt = idle - parseInt(body.dataset.warningSeconds || "120", 10);
  var box = document.getElementById("idle-warning");
  var warnTimer, expireTimer;

  function csrfToken() {
    var headers = JSON.parse(body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }
  function signOut() {
    window.location.href = body.dataset.loginUrl + "?expired=1&next=" +
      encodeURIComponent(window.location.pathname + window.location.search);
  }
  function arm() {
    clearTimeout(warnTimer); clearTimeout(expireTimer);
    warnTimer = setTimeout(function () {
      document.dispatchEvent(new CustomEvent("casework:session-expiring"));
      box.hidden = false;
      document.getElementById("idle-stay").focus();
    }, warnAt * 1000);
    expireTimer = setTimeout(signOut, idle * 1000);
  }
  document.getElementById("idle-stay").addEventListener("click", function () {
    fetch(body.dataset.keepaliveUrl, { method: "POST", headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin" })
      .then(function (response) {
        // Already expired (e.g. the laptop slept): the server answers with the sign-in page.
        if (!response.ok || response.redirected) { signOut(); return; }
        box.hidden = true; arm();
      }, signOut);
  });
  // Any server round trip made by htmx (e.g. a draft autosave) also extends the session.
  document.addEventListener("htmx:afterRequest", arm);
  arm();
})();

// On narrow screens the main navigation folds behind a "Menu" button (shown only there).
(function () {
  "use strict";
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("main-nav");
  if (!toggle || !nav) { return; }
  document.documentElement.classList.add("js-menu");
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  });
})();
