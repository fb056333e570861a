// Reading aids of every page: text size and high contrast (kept across pages
// in localStorage; the <head> of every page applies them before painting),
// the 无障碍 button that opens them on phones, and on articles and record
// pages (<meta name="zlt-article">) the tools 朗读 (read aloud, with the
// browser's own Chinese voice, shown only where there is one) and 打印.
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

  // 无障碍: on phones the aids are one tap away, not on top of the first screen.
  var toggle = document.querySelector(".zlt-aids-toggle");
  var panel = document.getElementById("zlt-reading");
  if (toggle && panel) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      panel.classList.toggle("zlt-reading--open", open);
      if (open) panel.querySelector("button").focus();
    });
  }

  // The theme opens the menu and the search with <label>s in the header,
  // which a keyboard cannot reach: put real buttons in their place.
  var names = { __drawer: "打开导航菜单", __search: "搜索" };
  document.querySelectorAll("label.md-header__button[for]").forEach(function (label) {
    var target = document.getElementById(label.htmlFor);
    if (!target) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = label.className;
    button.dataset.zltFor = label.htmlFor;
    button.setAttribute("aria-label", names[label.htmlFor] || label.title || label.htmlFor);
    button.innerHTML = label.innerHTML;
    button.addEventListener("click", function () {
      target.click();
      var field = target.checked && label.htmlFor === "__search" && document.querySelector("[data-md-component=search-query]");
      if (field) field.focus();
    });
    label.replaceWith(button);
  });

  // Dialogs the theme leaves unnamed get a name for screen readers.
  document.querySelectorAll('[role="dialog"]:not([aria-label]):not([aria-labelledby])').forEach(function (d) {
    d.setAttribute("aria-label", document.title);
  });

  // --- 朗读 and 打印 on articles and record pages ---------------------------
  if (!document.querySelector('meta[name="zlt-article"]')) return;
  var article = document.querySelector("article.md-content__inner");
  if (!article) return;
  var tools = document.createElement("span");
  tools.className = "zlt-tools";
  var anchor = article.querySelector(".zlt-meta");
  if (anchor) anchor.appendChild(tools);
  else {
    var holder = document.createElement("p");
    holder.className = "zlt-meta";
    holder.appendChild(tools);
    var h1 = article.querySelector("h1");
    if (h1) h1.after(holder); else article.prepend(holder);
  }

  function tool(label, path) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "zlt-tool";
    b.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="' + path + '"/></svg><span></span>';
    b.lastChild.textContent = label;
    tools.appendChild(b);
    return b;
  }

  var print = tool("打印", "M18 3H6v4h12m1 5a1 1 0 1 1 0-2 1 1 0 0 1 0 2m-3 7H8v-5h8m3-6H5a3 3 0 0 0-3 3v6h4v4h12v-4h4v-6a3 3 0 0 0-3-3z");
  print.addEventListener("click", function () { window.print(); });

  var synth = window.speechSynthesis;
  if (!synth || !window.SpeechSynthesisUtterance) return;
  var speak = tool("朗读", "M3 9v6h4l5 5V4L7 9H3m13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4M14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z");
  speak.setAttribute("aria-pressed", "false");
  speak.hidden = true;   // until the browser shows a Chinese voice

  function chineseVoice() {
    var voices = synth.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^zh([-_]|$)/i.test(voices[i].lang) || /^cmn/i.test(voices[i].lang)) return voices[i];
    }
    return null;
  }

  // The words a reader sees: the title and the text, not the buttons.
  function text() {
    var copy = article.cloneNode(true);
    copy.querySelectorAll(".zlt-tools, .zlt-visually-hidden, script, style, svg, .headerlink").forEach(function (e) { e.remove(); });
    return copy.innerText || copy.textContent || "";
  }

  // Long texts are spoken in pieces: some voices stop after 15 seconds or so.
  function pieces(all) {
    var out = [];
    all.split(/\n+/).forEach(function (para) {
      para = para.trim();
      while (para.length > 180) {
        var cut = Math.max(para.lastIndexOf("。", 180), para.lastIndexOf("，", 180));
        cut = cut > 40 ? cut + 1 : 180;
        out.push(para.slice(0, cut));
        para = para.slice(cut);
      }
      if (para) out.push(para);
    });
    return out;
  }

  function stop() {
    synth.cancel();
    speak.setAttribute("aria-pressed", "false");
    speak.lastChild.textContent = "朗读";
  }

  speak.addEventListener("click", function () {
    if (speak.getAttribute("aria-pressed") === "true") { stop(); return; }
    var voice = chineseVoice();
    if (!voice) return;
    synth.cancel();
    var parts = pieces(text());
    parts.forEach(function (part, i) {
      var u = new SpeechSynthesisUtterance(part);
      try { u.voice = voice; } catch (e) { /* not a SpeechSynthesisVoice: the language still says it */ }
      u.lang = voice.lang;
      u.rate = 0.9;
      if (i === parts.length - 1) u.onend = stop;
      synth.speak(u);
    });
    speak.setAttribute("aria-pressed", "true");
    speak.lastChild.textContent = "停止朗读";
  });

  function offer() { speak.hidden = !chineseVoice(); }
  offer();
  if (synth.addEventListener) synth.addEventListener("voiceschanged", offer);
  window.addEventListener("pagehide", function () { synth.cancel(); });
})();
