// Contact form: show only the fields that belong to the kind of contact chosen. Without
// JavaScript every field shows; the server ignores what does not apply and says why.
(function () {
  "use strict";
  var form = document.getElementById("contact-form");
  if (!form) { return; }
  function kind() {
    var checked = form.querySelector("input[name=kind]:checked");
    if (checked) { return checked.value; }
    var select = form.querySelector("select[name=kind]");
    return select ? select.value : "";
  }
  function hasValue(block) {
    return Array.prototype.some.call(block.querySelectorAll("input, select, textarea"), function (el) {
      return el.type !== "checkbox" && el.type !== "radio" && el.value.trim() !== "";
    });
  }
  function update() {
    var current = kind();
    form.querySelectorAll("[data-for-kinds]").forEach(function (block) {
      var wanted = block.getAttribute("data-for-kinds").split(" ").indexOf(current) !== -1;
      // A provider is named only when a provider's worker made the contact: keep it out of
      // the way of a caseworker's own visit unless it is already filled in.
      if (block.querySelector("[name=provider]") && current === "face_to_face" && !hasValue(block)) {
        var madeBy = form.querySelector("[name=made_by]");
        wanted = !madeBy || madeBy.value === "";
      }
      block.hidden = !wanted && !hasValue(block);
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("casework:restored", update);  // typed offline, put back (offline.js)
  update();
}());

// Typing is saved as a draft when the page is hidden (another tab, the laptop's lid) or
// left, not only after the autosave's pause: the last seconds typed are not lost.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.htmx) { return; }
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("htmx:afterRequest", function () { dirty = false; });
  form.addEventListener("submit", function () { dirty = false; });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) { window.htmx.trigger(form, "casework:save-draft"); }
  });
  // Leaving the page: a request the browser finishes after the page is gone. A beacon can be
  // lost, so the tab keeps a copy that the next page sends again (offline.js); both carry the
  // form's draft key, and the server keeps one draft for them.
  // Offline the page keeps what was typed on the device instead (offline.js): a beacon
  // queued now would reach the server later as a second copy of the same draft.
  window.addEventListener("pagehide", function () {
    if (!dirty || !navigator.onLine) { return; }
    dirty = false;
    form.dispatchEvent(new CustomEvent("casework:leaving"));
    navigator.sendBeacon(form.getAttribute("hx-post"), new FormData(form));
  });
}());
