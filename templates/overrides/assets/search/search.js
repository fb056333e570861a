/* Site search of 扎兰屯党建网: the dialog of partials/search.html.
 *
 * Two back ends behind one interface, search(query) -> [hit], where a hit is
 * an async function returning {url, title, excerpt (HTML with <mark>)}:
 *  - Pagefind (pagefind/, written by scripts/search.py): loads only the index
 *    chunks a query needs, so the first query stays small on slow networks;
 *  - the offline bundle's search-index.js (scripts/offline.py), read with a
 *    <script> tag because nothing can be fetched from file://. It matches plain
 *    substrings, so any Chinese word is found, also inside longer words.
 * A classic script, not a module: modules do not load from file://.
 */
(function () {
  "use strict";
  var dialog = document.getElementById("zlt-search");
  if (!dialog || !window.HTMLDialogElement) return;
  var base = new URL(dialog.getAttribute("data-base").replace(/\/?$/, "/"), location.href);
  var input = dialog.querySelector(".zlt-search__input");
  var status = dialog.querySelector(".zlt-search__status");
  var list = dialog.querySelector(".zlt-search__results");
  var more = dialog.querySelector(".zlt-search__more");
  var PAGE_SIZE = 10;
  var backend = null;   // Promise of the search function, made on first open
  var hits = [];
  var shown = 0;
  var generation = 0;   // answers to an older query are dropped

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(s);
    });
  }

  // Chinese characters, and the punctuation and quotes written between them.
  var HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var WIDE = HAN + "\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2026\u2014";
  var HAN_CHAR = new RegExp("([" + HAN + "])", "g");
  var GAP = new RegExp("([" + WIDE + "]|</mark>) (?=[" + WIDE + "]|<mark>)", "g");

  // The excerpt comes from the spaced text: join its characters again.
  function joinHan(excerpt) {
    return excerpt.replace(/ <\/mark>/g, "</mark> ").replace(GAP, "$1").replace(GAP, "$1");
  }

  // Pagefind indexed every Chinese character as a word (scripts/search.py).
  // A term is found as an exact phrase of its characters (廷江 as "廷 江"),
  // which finds it anywhere but does not rank; the same characters searched
  // loosely give the order (pages about the term, e.g. with it in the title,
  // first). Several terms: a page must have them all.
  function spacedTerm(term) {
    return term.replace(HAN_CHAR, " $1 ").trim().replace(/\s+/g, " ");
  }

  function pagefindBackend() {
    return import(new URL("pagefind/pagefind.js", base).href).then(function (pf) {
      // No worker: it would be one more script to download before the first result.
      return pf.options({ noWorker: true, baseUrl: base.pathname, excerptLength: 40 })
        .then(function () { return pf.init(); })
        .then(function () {
          return function (query) {
            var terms = query.split(/\s+/).filter(Boolean).map(spacedTerm);
            var searches = [pf.search(terms.join(" "))].concat(terms.map(function (t) {
              return pf.search('"' + t + '"');
            }));
            return Promise.all(searches).then(function (all) {
              var exact = all.slice(1).map(function (found) {
                var byId = new Map();
                found.results.forEach(function (r) { byId.set(r.id, r); });
                return byId;
              });
              return all[0].results.filter(function (r) {
                return exact.every(function (byId) { return byId.has(r.id); });
              }).map(function (r) {
                // The exact result's excerpt marks the term, not each character.
                var shown = exact[0].get(r.id);
                return function () {
                  return shown.data().then(function (d) {
                    return { url: d.url, title: d.meta.title || d.url, excerpt: joinHan(d.excerpt) };
                  });
                };
              });
            });
          };
        });
    });
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function offlineBackend() {
    return loadScript(new URL("search-index.js", base).href).then(function () {
      var pages = window.zltSearchIndex || [];   // [url, title, text]
      var folded = pages.map(function (p) { return (p[1] + "\n" + p[2]).toLowerCase(); });
      return function (query) {
        var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
        var scored = [];
        folded.forEach(function (text, i) {
          var score = 0;
          for (var t = 0; t < terms.length; t++) {
            var at = text.indexOf(terms[t]);
            if (at < 0) return;
            score += (at < pages[i][1].length ? 100 : 0) + Math.min(text.split(terms[t]).length - 1, 20);
          }
          scored.push([score, i]);
        });
        scored.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
        return Promise.resolve(scored.map(function (s) {
          var p = pages[s[1]];
          return function () {
            return Promise.resolve({ url: new URL(p[0], base).href, title: p[1], excerpt: excerpt(p[2], terms) });
          };
        }));
      };
    });
  }

  function excerpt(text, terms) {
    var lower = text.toLowerCase();
    var at = Math.max(0, lower.indexOf(terms[0]));
    var start = Math.max(0, at - 30);
    var piece = text.slice(start, at + 60);
    var html = escapeHtml(piece);
    terms.forEach(function (t) {
      var safe = escapeHtml(t).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      html = html.replace(new RegExp(safe, "gi"), function (m) { return "<mark>" + m + "</mark>"; });
    });
    return (start > 0 ? "…" : "") + html + (at + 60 < text.length ? "…" : "");
  }

  function getBackend() {
    if (!backend) {
      backend = location.protocol === "file:"
        ? offlineBackend()
        : pagefindBackend().catch(offlineBackend);
      // data-engine tells tests and styles whether the first query must wait.
      dialog.setAttribute("data-engine", "loading");
      backend.then(function () { dialog.setAttribute("data-engine", "ready"); },
                   function () { dialog.setAttribute("data-engine", "failed"); backend = null; });
    }
    return backend;
  }

  function open() {
    if (!dialog.open) dialog.showModal();
    input.focus();
    input.select();
    getBackend();
  }

  function renderMore(gen) {
    var batch = hits.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    more.hidden = shown >= hits.length;
    // Fetched together, shown in order as each arrives: the first result
    // does not wait for the tenth.
    return batch.map(function (hit) { return hit(); }).reduce(function (prev, next) {
      return prev.then(function () { return next; }).then(function (item) {
        if (gen === generation) list.appendChild(resultItem(item));
      });
    }, Promise.resolve());
  }

  function resultItem(item) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = item.url;
    a.className = "zlt-search__link";
    var title = document.createElement("span");
    title.className = "zlt-search__result-title";
    title.textContent = item.title;
    var text = document.createElement("span");
    text.className = "zlt-search__excerpt";
    text.innerHTML = item.excerpt;   // escaped by Pagefind or escapeHtml(), <mark> only
    a.appendChild(title);
    a.appendChild(text);
    li.appendChild(a);
    return li;
  }

  function run() {
    var query = input.value.trim();
    var gen = ++generation;
    if (!query) {
      list.textContent = "";
      status.textContent = "";
      more.hidden = true;
      return;
    }
    status.textContent = "正在搜索……";
    getBackend().then(function (search) {
      return search(query);
    }).then(function (found) {
      if (gen !== generation) return;
      hits = found;
      shown = 0;
      list.textContent = "";
      status.textContent = found.length
        ? "找到 " + found.length + " 个相关页面"
        : "没有找到含“" + query + "”的页面，请换个字词试试。";
      return renderMore(gen);
    }).catch(function () {
      if (gen === generation) status.textContent = "搜索暂时无法使用。";
    });
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

  document.querySelectorAll(".zlt-search-open").forEach(function (b) {
    b.addEventListener("click", open);
  });
  dialog.querySelector(".zlt-search__close").addEventListener("click", function () { dialog.close(); });
  // A click on the backdrop (the dialog element itself, outside its box) closes it.
  dialog.addEventListener("click", function (e) { if (e.target === dialog) dialog.close(); });
  input.addEventListener("input", function (e) { if (!e.isComposing) run(); });
  input.addEventListener("compositionend", run);
  more.addEventListener("click", function () { renderMore(generation); });
  dialog.querySelector("form").addEventListener("submit", function (e) {
    e.preventDefault();
    var first = links()[0];
    if (first) location.href = first.href;
  });
  // Arrow keys move between the input and the results.
  dialog.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    var items = [input].concat(links());
    var i = items.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    var next = items[Math.min(items.length - 1, Math.max(0, i + (e.key === "ArrowDown" ? 1 : -1)))];
    next.focus();
  });
  // "/" or "s" opens search, as in Material, unless the reader is typing.
  document.addEventListener("keydown", function (e) {
    if (dialog.open || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (e.key === "/" || e.key === "s" || e.key === "S") {
      e.preventDefault();
      open();
    }
  });
})();
