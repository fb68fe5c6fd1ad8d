/* Django's autocomplete boxes (select2) type into a search field of their own that has no label:
   give it the name of the field it belongs to, as a screen reader needs (axe: "label", "list").
   Runs after the admin has set the boxes up, and again whenever select2 redraws them. */
(function () {
  "use strict";
  function labelSearchFields() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
      var name = label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
      var $ = window.django && window.django.jQuery;
      var widget = $ ? $(select).data("select2") : null;
      var box = widget && widget.$container ? widget.$container[0] : null;
      if (!box) { return; }
      box.querySelectorAll(".select2-search__field").forEach(function (field) {
        field.setAttribute("aria-label", "Search " + name);
      });
      // The "remove all" cross sits inside the list of choices as a bare span: a mouse shortcut
      // (the keyboard removes with Backspace), hidden from screen readers so the list stays a list.
      box.querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear").forEach(function (cross) {
        cross.setAttribute("aria-hidden", "true");
      });
    });
  }
  function start() {
    labelSearchFields();
    // select2 redraws its boxes (a choice made, the window resized): label what it draws anew.
    // Setting attributes adds no nodes, so this does not observe itself.
    new MutationObserver(labelSearchFields).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "complete") { start(); } else { window.addEventListener("load", start); }
}());
