// Referral form: the self-referral details are only asked for when "a parent referred
// themselves" is ticked. Without JavaScript every field simply stays visible.
(function () {
  "use strict";
  var box = document.getElementById("id_self_referral");
  if (!box) { return; }
  var dependants = ["id_self_referred_by", "id_support_given"].map(function (id) {
    var input = document.getElementById(id);
    return input ? input.closest(".field") : null;
  }).filter(Boolean);
  function sync() {
    dependants.forEach(function (field) { field.hidden = !box.checked; });
  }
  box.addEventListener("change", sync);
  sync();
})();
