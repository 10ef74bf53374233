// Safety assessment form: the threats field is needed unless the decision is "safe".
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-responses-form]");
  if (!form) return;
  const threats = form.querySelector("#id_threats");
  const decisions = form.querySelectorAll("input[name='decision']");
  if (!threats || !decisions.length) return;
  const sync = () => {
    const chosen = form.querySelector("input[name='decision']:checked");
    threats.required = Boolean(chosen && chosen.value !== "safe");
    threats.setAttribute("aria-required", threats.required ? "true" : "false");
  };
  decisions.forEach((input) => input.addEventListener("change", sync));
  sync();
});
