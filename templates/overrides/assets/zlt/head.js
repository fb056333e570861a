// What must run before the first paint, as a file and not inline: the pages
// carry no inline script at all, so their Content-Security-Policy is
// `script-src 'self'` with no hash, and a script that got into a page's text
// does not run (scripts/deploy/csp.py). Loaded, blocking, from the <head> of
// every page (partials/javascripts/base.html).
//
// Material's inline head script, the same functions: its scope (the site's
// root, where its settings are kept in localStorage) is derived from this
// file's own address (assets/zlt/head.js, two folders below the root),
// which works from any page depth, on a server and from file:// alike.
// (Material's `extra.scope` setting is not supported: the site does not use it.)
var __md_scope = new URL("../../", document.currentScript.src),
  __md_hash = function (e) {
    return Array.from(e).reduce(function (h, c) { return (h << 5) - h + c.charCodeAt(0); }, 0);
  },
  __md_get = function (e, storage, scope) {
    storage = storage || localStorage;
    scope = scope || __md_scope;
    return JSON.parse(storage.getItem(scope.pathname + "." + e));
  },
  __md_set = function (e, value, storage, scope) {
    storage = storage || localStorage;
    scope = scope || __md_scope;
    try { storage.setItem(scope.pathname + "." + e, JSON.stringify(value)); } catch (err) { /* private mode */ }
  };

// The reading aids (assets/zlt/reading.js) a reader chose, applied now, so
// that large text or high contrast never makes the page jump.
(function () {
  var root = document.documentElement;
  root.classList.add("zlt-js");
  try {
    var z = JSON.parse(localStorage.getItem("zlt-reading") || "{}") || {};
    if (z.size) root.dataset.zltSize = z.size;
    if (z.contrast) root.dataset.zltContrast = z.contrast;
  } catch (e) { /* storage refused: the default size */ }
})();

// Material's inline script after the content (partials/javascripts/content.html):
// the content tab named by the address's #fragment is selected once the page
// is parsed. (Its feature content.tabs.link is not carried over: the site has
// no content tabs.)
document.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById(location.hash.slice(1));
  if (target && target.name) target.checked = target.name.startsWith("__tabbed_");
});
