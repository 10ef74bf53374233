// Idle sign-out. The server signs a session out SESSION_IDLE_MINUTES after the worker's last
// activity and tells every answer how many seconds are left (X-Casework-Session-Remaining);
// the page's own background requests (draft autosave, this timer asking) do not count.
// SESSION_WARNING_MINUTES before, a warning offers "Stay signed in". Shortly before the
// deadline the page saves the contact form's draft, asks the server how long is really left
// (another tab may have been used), and signs out; the sign-in page then leads back to the
// draft. Online, nothing typed is kept in the browser: drafts live on the server (offline,
// static/js/offline.js keeps them in IndexedDB until they are sent, and forgets them at sign-out).
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  if (!idle) { return; }
  var warning = parseInt(body.dataset.warningSeconds || "120", 10);
  // Seconds before the deadline at which the page saves the draft and signs out: the save
  // must reach the server while the session is still valid.
  var lead = 15;
  var box = document.getElementById("idle-warning");
  var form = document.querySelector("form[data-autosave]");
  var touched = false;
  var ending = false;
  var warnTimer, endTimer;

  function csrfToken() {
    var headers = JSON.parse(body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }
  function draftId() {
    var field = form && form.querySelector("input[name=draft]");
    return field ? field.value : "";
  }
  function secondsLeft(response) {
    var value = parseInt(response.getResponseHeader ? response.getResponseHeader("X-Casework-Session-Remaining")
                                                    : response.headers.get("X-Casework-Session-Remaining"), 10);
    return isNaN(value) ? null : value;
  }
  function arm(remaining) {
    clearTimeout(warnTimer); clearTimeout(endTimer);
    warnTimer = setTimeout(warn, Math.max(0, remaining - warning) * 1000);
    endTimer = setTimeout(end, Math.max(0, remaining - lead) * 1000);
  }
  function warn() {
    document.dispatchEvent(new CustomEvent("casework:session-expiring"));
    saveDraft();
    box.hidden = false;
    document.getElementById("idle-stay").focus();
  }
  // Saves the contact form's draft (when something was typed) and resolves when the server
  // has answered, or after a few seconds at most.
  function saveDraft() {
    return new Promise(function (resolve) {
      if (!form || !window.htmx || !(touched || draftId())) { resolve(); return; }
      var sent = false, done = false;
      function began() { sent = true; }
      function finished() { if (sent) { finish(); } }
      function finish() {
        if (done) { return; }
        done = true;
        form.removeEventListener("htmx:beforeRequest", began);
        form.removeEventListener("htmx:afterRequest", finished);
        resolve();
      }
      // An autosave already on its way answers first; wait for the one asked for here.
      form.addEventListener("htmx:afterRequest", finished);
      form.addEventListener("htmx:beforeRequest", began);
      setTimeout(finish, 8000);
      window.htmx.trigger(form, "casework:save-draft");
    });
  }
  function askServer() {
    return fetch(body.dataset.statusUrl, { headers: { "X-Casework-Background": "timer" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) { return null; }
        return response.json().then(function (data) { return data.remaining_seconds; });
      }, function () { return null; });
  }
  function signOut() {
    var next = new URL(window.location.href);
    if (draftId()) { next.searchParams.set("draft", draftId()); }
    var signOutForm = document.getElementById("idle-sign-out");
    signOutForm.elements.next.value = next.pathname + next.search;
    signOutForm.submit();
  }
  function end() {
    ending = true;
    saveDraft().then(askServer).then(function (left) {
      ending = false;
      if (left !== null && left > 2 * lead) { box.hidden = true; arm(left); return; }
      signOut();
    });
  }
  if (form) {
    form.addEventListener("input", function () { touched = true; });
    form.addEventListener("change", function () { touched = true; });
  }
  document.getElementById("idle-stay").addEventListener("click", function () {
    fetch(body.dataset.keepaliveUrl, { method: "POST", headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin" })
      .then(function (response) {
        // Already expired (e.g. the laptop slept): the server answers with the sign-in page.
        if (!response.ok || response.redirected) { signOut(); return; }
        box.hidden = true; arm(secondsLeft(response) || idle);
      }, signOut);
  });
  // Every htmx answer says how long the session has left: a draft autosave leaves it as it
  // was, other requests restart it. 401: the session has ended.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || ending) { return; }
    if (xhr.status === 401) { signOut(); return; }
    var left = secondsLeft(xhr);
    if (left !== null) { arm(left); }
  });
  arm(idle);
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
