// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
// The search form's empty fields stay out of the address (the server would redirect without them).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form.search")) return;
  Array.prototype.forEach.call(form.elements, function (field) {
    if (field.name && (field.value || "").trim() === "") field.disabled = true;
  });
});
// Back to a page kept in the browser's cache: its fields are usable again.
window.addEventListener("pageshow", function () {
  Array.prototype.forEach.call(document.querySelectorAll("form.search [disabled]"), function (field) {
    field.disabled = false;
  });
});
// On a narrow screen the facets start folded above the results; a tap on "Refine" opens them.
if (window.matchMedia("(max-width: 56rem)").matches) {
  Array.prototype.forEach.call(document.querySelectorAll("details.refine"), function (panel) {
    panel.open = false;
  });
}
