/* Site search of 扎兰屯党建网: the dialog of partials/search.html.
 *
 * It reads the index that scripts/build/search.py writes into search/ (its comment
 * describes the files). A query is cut, as the pages were, into runs of
 * letters and digits; a run is looked up by its pairs of neighbouring
 * characters (by itself if one character long), so any word is found, inside
 * longer words and names too. Only the shards holding those pairs are loaded,
 * then the pages of the results shown, so the first query stays small however
 * large the site grows.
 * Every index file is a script calling window.zltSearch, loaded with a
 * <script> tag: the same code works from a server and from file:// (the
 * offline bundle), where nothing can be fetched. A classic script, not a
 * module: modules do not load from file:// either.
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
  var MAX_GRAMS = 4;     // shards one query may load, whatever its length
  var MAX_TRIED = 5 * PAGE_SIZE;
  var EXCERPT = 40;      // characters of context before and after the word
  var backend = null;    // Promise of the search function, made on first open
  var hits = [];
  var shown = 0;
  var generation = 0;    // answers to an older query are dropped

  // --- loading index files -------------------------------------------------

  var pending = {};      // "s3" -> {resolve, reject}; settled by the file's call
  var loaded = {};       // "s3" -> Promise of its data

  function settle(key, data) {
    var p = pending[key];
    if (p) { delete pending[key]; p.resolve(data); }
  }
  window.zltSearch = {
    m: function (meta) { settle("m", meta); },
    s: function (args) { settle("s" + args[0], args[1]); },   // args[0]: the file's name, "3" or "3.1"
    p: function (args) { settle("p" + args[0], args[1]); }
  };

  function load(key, path, version) {
    if (!loaded[key]) {
      loaded[key] = new Promise(function (resolve, reject) {
        pending[key] = { resolve: resolve, reject: reject };
        var s = document.createElement("script");
        var url = new URL("search/" + path, base);
        // A new build's files replace the old ones under the same names.
        if (version && url.protocol !== "file:") url.search = "v=" + version;
        s.src = url.href;
        s.onload = function () { document.head.removeChild(s); };
        s.onerror = function () {
          document.head.removeChild(s);
          delete pending[key];
          delete loaded[key];
          reject(new Error("cannot load " + url.href));
        };
        document.head.appendChild(s);
      });
    }
    return loaded[key];
  }

  // --- text, as scripts/build/search.py cuts it --------------------------------------

  var RUN = /[\p{L}\p{N}]+/gu;

  function fold(text) { return text.normalize("NFKC").toLowerCase(); }

  function runs(query) {
    var seen = {};
    return (fold(query).match(RUN) || []).filter(function (r) {
      return seen[r] ? false : (seen[r] = true);
    });
  }

  // A run's pairs of neighbours; of a long run, `most` of them spread from its
  // first to its last (the pages shown are then checked for the whole run).
  function gramsOf(run, most) {
    var chars = Array.from(run);
    if (chars.length === 1) return [run];
    var all = [];
    for (var i = 0; i + 1 < chars.length; i++) all.push(chars[i] + chars[i + 1]);
    if (all.length <= most) return all;
    var picked = [];
    for (var j = 0; j < most; j++) {
      var g = all[Math.round(j * (all.length - 1) / Math.max(1, most - 1))];
      if (picked.indexOf(g) < 0) picked.push(g);
    }
    return picked;
  }

  function shardOf(gram, shards) {       // 32-bit FNV-1a over code points
    var h = 0x811c9dc5;
    for (var ch of gram) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
    return h % shards;
  }

  function numbers(gaps) {
    var out = [], n = 0;
    if (!gaps) return out;
    gaps.split(",").forEach(function (g) { n += +g; out.push(n); });
    return out;
  }

  function intersect(a, b) {             // both ascending
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; }
      else if (a[i] < b[j]) i++;
      else j++;
    }
    return out;
  }

  // --- the search --------------------------------------------------------

  function engine(meta) {
    var postings = {};   // gram -> Promise of {pages, titles}

    // A gram's posting list is cut into meta.segments blocks of page numbers
    // (an update of the site rewrites only its pages' blocks): shard k's
    // files s/k.js, s/k.1.js, … hold them in ascending order.
    function posting(gram) {
      if (!postings[gram]) {
        var k = shardOf(gram, meta.shards), files = [];
        for (var j = 0; j < (meta.segments || 1); j++) {
          var name = j ? k + "." + j : String(k);
          files.push(load("s" + name, "s/" + name + ".js", meta.version));
        }
        postings[gram] = Promise.all(files).then(function (shards) {
          var pages = [], titles = {};
          shards.forEach(function (shard) {
            var p = shard[gram];
            if (p === undefined) return;
            var parts = p.split("|");
            pages = pages.concat(numbers(parts[0]));
            numbers(parts[1]).forEach(function (n) { titles[n] = true; });
          });
          return { pages: pages, titles: titles };
        });
      }
      return postings[gram];
    }

    function page(n) {
      return load("p" + n, "p/" + n + ".js", meta.version);
    }

    return function (query) {
      var rs = runs(query);
      if (!rs.length) return Promise.resolve({ hits: [], exact: true });
      // At most MAX_GRAMS lookups, taken from each run in turn; a run left
      // out is still checked on every page shown.
      var wanted = rs.map(function (r) { return gramsOf(r, MAX_GRAMS); });
      var perRun = rs.map(function () { return []; });
      for (var round = 0, count = 0; count < MAX_GRAMS; round++) {
        var took = false;
        for (var i = 0; i < rs.length && count < MAX_GRAMS; i++) {
          if (round < wanted[i].length) { perRun[i].push(wanted[i][round]); count++; took = true; }
        }
        if (!took) break;
      }
      var all = [].concat.apply([], perRun);
      return Promise.all(all.map(posting)).then(function (found) {
        var byGram = {};
        all.forEach(function (g, i) { byGram[g] = found[i]; });
        var lists = found.map(function (f) { return f.pages; })
          .sort(function (a, b) { return a.length - b.length; });
        var pages = lists.reduce(intersect);
        // Pages with a run in the title first (each run counts), then in the
        // site's order.
        var scored = pages.map(function (n) {
          var score = 0;
          perRun.forEach(function (gs) {
            if (gs.length && gs.every(function (g) { return byGram[g].titles[n]; })) score++;
          });
          return [score, n];
        }).sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
        return {
          // A run of three or more characters was looked up by its pairs,
          // which a page may hold apart, and a run left out not at all: such
          // a page is dropped when shown, so the count is an estimate.
          exact: rs.every(function (r, i) { return Array.from(r).length <= 2 && perRun[i].length; }),
          hits: scored.map(function (s) {
            return function () {
              return page(s[1]).then(function (p) { return result(p, rs); });
            };
          })
        };
      });
    };
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // The page as a result, its excerpt around the first run with every run
  // marked; null if the page does not hold every run after all.
  function result(p, rs) {
    var title = p.t, text = p.x;
    // Folded text, and for each of its characters the index in `text`.
    var folded = "", at = [];
    for (var i = 0; i < text.length; ) {
      var ch = String.fromCodePoint(text.codePointAt(i));
      var f = fold(ch);
      folded += f;
      for (var k = 0; k < f.length; k++) at.push(i);
      i += ch.length;
    }
    at.push(text.length);
    var foldedTitle = fold(title);
    var spans = [];
    for (var r = 0; r < rs.length; r++) {
      var inText = folded.indexOf(rs[r]) >= 0;
      if (!inText && foldedTitle.indexOf(rs[r]) < 0) return null;
      var from = 0, pos;
      while ((pos = folded.indexOf(rs[r], from)) >= 0) {
        spans.push([at[pos], at[pos + rs[r].length]]);
        from = pos + rs[r].length;
      }
    }
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var centre = spans.length ? spans[0][0] : 0;
    var start = Math.max(0, centre - EXCERPT);
    var end = Math.min(text.length, centre + 2 * EXCERPT);
    var html = "", cursor = start;
    spans.forEach(function (s) {
      if (s[0] < cursor || s[1] > end) return;
      html += escapeHtml(text.slice(cursor, s[0])) + "<mark>" + escapeHtml(text.slice(s[0], s[1])) + "</mark>";
      cursor = s[1];
    });
    html += escapeHtml(text.slice(cursor, end));
    return {
      url: new URL(p.u, base).pathname,
      title: title,
      excerpt: (start > 0 ? "…" : "") + html + (end < text.length ? "…" : "")
    };
  }

  function getBackend() {
    if (!backend) {
      // The meta names the version of every other file; a cached one after
      // the site was updated would send the reader to the wrong shards.
      backend = load("m", "meta.js", String(Math.floor(Date.now() / 60000))).then(engine);
      // data-engine tells tests and styles whether the first query must wait.
      dialog.setAttribute("data-engine", "loading");
      backend.then(function () { dialog.setAttribute("data-engine", "ready"); },
                   function () {
                     dialog.setAttribute("data-engine", "failed");
                     backend = null;
                     delete loaded.m;
                   });
    }
    return backend;
  }

  function open() {
    if (!dialog.open) dialog.showModal();
    input.focus();
    input.select();
    getBackend();
  }

  // Shows the next PAGE_SIZE results. Fetched together, shown in order as each
  // arrives: the first result does not wait for the tenth. A page that turns
  // out not to hold the words is skipped, and one more is fetched, up to
  // MAX_TRIED pages a time (a query of many words; the reader can ask for more).
  function renderMore(gen) {
    var wanted = PAGE_SIZE;
    var tried = 0;
    function step() {
      var batch = hits.slice(shown, shown + wanted);
      shown += batch.length;
      tried += batch.length;
      more.hidden = shown >= hits.length;
      return batch.map(function (hit) { return hit(); }).reduce(function (prev, next) {
        return prev.then(function () { return next; }).then(function (item) {
          if (gen !== generation || !item) return;
          list.appendChild(resultItem(item));
          wanted--;
        });
      }, Promise.resolve()).then(function () {
        if (gen === generation && wanted > 0 && shown < hits.length && tried < MAX_TRIED) return step();
      });
    }
    return step();
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
    text.innerHTML = item.excerpt;   // escaped by result(), <mark> only
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
      hits = found.hits;
      shown = 0;
      list.textContent = "";
      var none = "没有找到含“" + query + "”的页面，请换个字词试试。";
      status.textContent = hits.length
        ? "找到" + (found.exact ? " " : "约 ") + hits.length + " 个相关页面"
        : none;
      return renderMore(gen).then(function () {
        if (gen === generation && hits.length && !list.children.length) status.textContent = none;
      });
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
