// Reading aids: text size and high contrast, kept across pages in
// localStorage (the <head> of every page applies them before painting).
(function () {
  var KEY = "zlt-reading";
  var root = document.documentElement;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }

  function apply(state) {
    if (state.size) root.dataset.zltSize = state.size; else delete root.dataset.zltSize;
    if (state.contrast) root.dataset.zltContrast = state.contrast; else delete root.dataset.zltContrast;
    document.querySelectorAll(".zlt-reading__button").forEach(function (b) {
      var pressed = b.hasAttribute("data-zlt-size")
        ? (b.dataset.zltSize || "") === (state.size || "")
        : state.contrast === b.dataset.zltContrast;
      b.setAttribute("aria-pressed", pressed ? "true" : "false");
    });
  }

  var state = load();
  apply(state);
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest(".zlt-reading__button");
    if (!b) return;
    if (b.hasAttribute("data-zlt-size")) state.size = b.dataset.zltSize || "";
    else state.contrast = state.contrast ? "" : b.dataset.zltContrast;
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: this page only */ }
    apply(state);
  });

  // The theme opens the menu and the search with <label>s in the header,
  // which a keyboard cannot reach: put real buttons in their place.
  var names = { __drawer: "打开导航菜单", __search: "搜索" };
  document.querySelectorAll("label.md-header__button[for]").forEach(function (label) {
    var toggle = document.getElementById(label.htmlFor);
    if (!toggle) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = label.className;
    button.dataset.zltFor = label.htmlFor;
    button.setAttribute("aria-label", names[label.htmlFor] || label.title || label.htmlFor);
    button.innerHTML = label.innerHTML;
    button.addEventListener("click", function () {
      toggle.click();
      // An opened search puts the cursor in its field, ready to type.
      var field = toggle.checked && label.htmlFor === "__search" && document.querySelector("[data-md-component=search-query]");
      if (field) field.focus();
    });
    label.replaceWith(button);
  });

  // Dialogs the theme leaves unnamed (the search) get a name for screen readers.
  document.querySelectorAll('[role="dialog"]:not([aria-label]):not([aria-labelledby])').forEach(function (d) {
    d.setAttribute("aria-label", d.matches("[data-md-component=search]") ? "搜索" : document.title);
  });
})();
