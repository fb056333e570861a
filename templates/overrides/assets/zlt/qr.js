// The QR code of a record page's own address (templates/partials/qr.md.j2):
// drawn from the figure's data-qr with lean-qr (assets/vendor/lean-qr.js),
// as scripts/records/qr.py draws it for print: error correction M, a quiet
// zone of four modules, one SVG path of horizontal strokes on a white square.
(function () {
  var qr = window.leanQR;
  if (!qr) return;
  var SVG = "http://www.w3.org/2000/svg";
  var QUIET = 4;

  function strokes(code) {
    var d = "";
    for (var y = 0; y < code.size; y++) {
      for (var x = 0; x < code.size;) {
        if (!code.get(x, y)) { x++; continue; }
        var start = x;
        while (x < code.size && code.get(x, y)) x++;
        d += "M" + (start + QUIET) + " " + (y + QUIET) + ".5h" + (x - start);
      }
    }
    return d;
  }

  function element(name, attributes) {
    var el = document.createElementNS(SVG, name);
    for (var key in attributes) el.setAttribute(key, attributes[key]);
    return el;
  }

  var figures = document.querySelectorAll(".zlt-qr__figure[data-qr]");
  for (var i = 0; i < figures.length; i++) {
    var url = figures[i].getAttribute("data-qr");
    var code;
    try {
      code = qr.generate(url, { minCorrectionLevel: qr.correction.M, maxCorrectionLevel: qr.correction.M });
    } catch (e) {
      continue;   // the address stays readable in the caption
    }
    var size = code.size + 2 * QUIET;
    // width and height: its size even where the style sheet did not load.
    var svg = element("svg", { "class": "zlt-qr__code", role: "img", "aria-label": "本页二维码：" + url,
                               width: 160, height: 160, viewBox: "0 0 " + size + " " + size,
                               "shape-rendering": "crispEdges" });
    svg.appendChild(element("path", { fill: "#fff", d: "M0 0h" + size + "v" + size + "h-" + size + "z" }));
    svg.appendChild(element("path", { stroke: "#000", d: strokes(code) }));
    figures[i].insertBefore(svg, figures[i].firstChild);
    var hint = figures[i].querySelector(".zlt-qr__hint");
    if (hint) hint.textContent = "用手机扫码打开本页";
  }
})();
