// Case plan forms: warn while typing when an action is not SMART (the server checks again on save).
(function () {
  "use strict";
  // The vague phrases come from the server (caseplans/rules.py VAGUE_PHRASES), so both checks agree.
  var VAGUE = [];
  function localToday() {  // the caseworker's date, not UTC's (toISOString would be a day out in Australia)
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function value(id) { var el = document.getElementById(id); return el ? el.value.trim() : null; }
  function check() {
    var box = document.getElementById("smart-live");
    var what = value("id_what");
    if (!box || what === null) { return; }
    var warnings = [];
    if (!value("id_responsible_kind") && !value("id_responsible_name")) { warnings.push("No one is named as responsible."); }
    var due = value("id_due_on");
    if (!due) { warnings.push("No due date."); }
    else if (due < localToday()) { warnings.push("The due date has passed."); }
    if (!value("id_measure")) { warnings.push("No measure of how completion will be known."); }
    var lower = " " + what.toLowerCase() + " ";
    var vague = VAGUE.filter(function (p) { return new RegExp("\\b" + p + "\\b").test(lower); });
    if (vague.length) { warnings.push("Vague wording (\u201c" + vague[0] + "\u201d): say exactly what will be done."); }
    if (what.split(/\s+/).filter(Boolean).length < 4) {
      warnings.push("Too short to be specific: say what will be done, with whom and where.");
    }
    box.textContent = "";
    if (!warnings.length) { box.hidden = true; return; }
    var title = document.createElement("p");
    title.textContent = "Not yet SMART:";
    var list = document.createElement("ul");
    warnings.forEach(function (w) { var li = document.createElement("li"); li.textContent = w; list.appendChild(li); });
    box.appendChild(title); box.appendChild(list); box.hidden = false;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-plan-form]");
    if (!form || !document.getElementById("id_what")) { return; }
    VAGUE = (form.dataset.vaguePhrases || "").split("|").filter(Boolean);
    form.addEventListener("input", check);
    form.addEventListener("change", check);
  });
})();
