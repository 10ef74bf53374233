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
  update();
}());
