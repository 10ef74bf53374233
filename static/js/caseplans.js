// Case plan forms: warn while typing when an action is not SMART (the server checks again on save).
(function () {
  "use strict";
  var VAGUE = ["try to", "as needed", "as required", "when possible", "if possible", "where possible",
               "as appropriate", "ongoing", "attempt to", "consider", "work on", "improve", "be better"];
  function value(id) { var el = document.getElementById(id); return el ? el.value.trim() : null; }
  function check() {
    var box = document.getElementById("smart-live");
    var what = value("id_what");
    if (!box || what === null) { return; }
    var warnings = [];
    if (!value("id_responsible_kind") && !value("id_responsible_name")) { warnings.push("No one is named as responsible."); }
    var due = value("id_due_on");
    if (!due) { warnings.push("No due date."); }
    else if (due < new Date().toISOString().slice(0, 10)) { warnings.push("The due date has passed."); }
    if (!value("id_measure")) { warnings.push("No measure of how completion will be known."); }
    var lower = " " + what.toLowerCase() + " ";
    var vague = VAGUE.filter(function (p) { return new RegExp("\\b" + p + "\\b").test(lower); });
    if (vague.length) { warnings.push("Vague wording (\u201c" + vague[0] + "\u201d): say exactly what will be done."); }
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
    form.addEventListener("input", check);
    form.addEventListener("change", check);
  });
})();
