/* Draws the charts whose Chart.js configuration the server put in <script type="application/json">
   next to each canvas (no inline script: the CSP allows scripts from the app only). */
(function () {
  "use strict";
  function draw() {
    if (typeof Chart === "undefined") { return; }
    Chart.defaults.locale = "id-ID";
    Chart.defaults.font.family = "'DejaVu Sans', 'Segoe UI', system-ui, sans-serif";
    document.querySelectorAll(".chart-box[data-height]").forEach(function (box) {
      box.style.height = parseInt(box.getAttribute("data-height"), 10) + "px";
    });
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var src = document.getElementById(canvas.getAttribute("data-chart") + "-data");
      if (!src || canvas.getAttribute("data-rendered")) { return; }
      var cfg = JSON.parse(src.textContent);
      cfg.options = cfg.options || {};
      if (cfg.options.indexAxis === "y" && cfg.data && cfg.data.labels) { fitLabels(canvas, cfg); }
      cfg.options.animation = false;
      cfg.options.responsive = true;
      cfg.options.maintainAspectRatio = false;
      new Chart(canvas, cfg);
      canvas.setAttribute("data-rendered", "1");
    });
  }
  /* a horizontal chart's unit names are long: on a narrow screen Chart.js cut them at the left
     ("ntasi dan Informasi Hukum"); they are wrapped into lines instead, and the box grows to fit */
  function wrap(text, width) {
    var lines = [], line = "";
    String(text).split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  function fitLabels(canvas, cfg) {
    var box = canvas.parentElement, width = box.clientWidth || 600;
    var chars = Math.max(12, Math.floor(width / 20));  // the labels take about 40 % of the width
    var lines = 1;
    cfg.data.labels = cfg.data.labels.map(function (label) {
      if (typeof label !== "string" || label.length <= chars) { return label; }
      var wrapped = wrap(label, chars);
      lines = Math.max(lines, wrapped.length);
      return wrapped;
    });
    if (lines > 1) {
      var needed = cfg.data.labels.length * (lines * 16 + 12) + 80;
      if (box.clientHeight < needed) { box.style.height = needed + "px"; }
      var scales = cfg.options.scales = cfg.options.scales || {};
      var y = scales.y = scales.y || {};
      y.ticks = y.ticks || {};
      y.ticks.autoSkip = false;  // every unit keeps its name
    }
  }
  window.addEventListener("beforeprint", function () {
    Object.values(Chart.instances || {}).forEach(function (c) { c.resize(); });
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();

/* Tables people can work with: every column header sorts (numbers and dates by their raw value in
   data-sort, text in Indonesian order), and a table of ten rows or more gets a search box that
   hides the rows not containing the words typed. Without JavaScript the tables stay as sent. */
(function () {
  "use strict";
  var collator = new Intl.Collator("id-ID", { numeric: true, sensitivity: "base" });
  function key(td) {
    if (!td) { return ""; }
    var raw = td.getAttribute("data-sort");
    if (raw !== null && raw !== "") {
      var n = Number(raw);
      return isNaN(n) ? raw : n;
    }
    return td.textContent.trim();
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    if (a === "" || a === "–") { return 1; }
    if (b === "" || b === "–") { return -1; }
    return collator.compare(String(a), String(b));
  }
  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      button.title = "Urutkan menurut kolom ini";
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var c = compare(key(r1.cells[index]), key(r2.cells[index]));
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  function searchable(table) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "table-search";
    box.placeholder = "Cari di tabel ini…";
    box.setAttribute("aria-label", "Cari di tabel " + (table.getAttribute("data-table") || ""));
    var count = document.createElement("span");
    count.className = "table-count small";
    table.parentNode.insertBefore(box, table);
    table.parentNode.insertBefore(count, table);
    box.addEventListener("input", function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        var text = r.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) >= 0; });
        r.hidden = !match;
        if (match) { shown += 1; }
      });
      count.textContent = words.length ? shown + " baris cocok" : "";
    });
  }
  /* on a phone a long scrolling table shows its first ten rows and a button for the rest; sorting,
     searching or printing shows every row */
  var FOLD_AT = 15, FOLD_KEEP = 10;
  function unfold(table) {
    Array.prototype.forEach.call(table.querySelectorAll("tr.folded"), function (r) { r.classList.remove("folded"); });
    var button = table.unfoldButton;
    if (button && button.parentNode) { button.parentNode.removeChild(button); }
  }
  function foldable(table) {
    var rows = table.tBodies[0].rows;
    if (table.classList.contains("cards") || rows.length <= FOLD_AT ||
        !window.matchMedia("(max-width: 640px)").matches) { return; }
    for (var i = FOLD_KEEP; i < rows.length; i += 1) { rows[i].classList.add("folded"); }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "unfold";
    button.textContent = "Tampilkan semua " + rows.length + " baris";
    button.addEventListener("click", function () { unfold(table); });
    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(button, wrap.nextSibling);
    table.unfoldButton = button;
    table.addEventListener("click", function (e) { if (e.target.closest("button.sort")) { unfold(table); } });
    var box = table.parentNode.querySelector("input.table-search");
    if (box) { box.addEventListener("input", function () { unfold(table); }); }
  }
  function enhance() {
    document.querySelectorAll("main table[data-table]").forEach(function (table) {
      if (!table.tHead || !table.tBodies.length || table.getAttribute("data-enhanced")) { return; }
      table.setAttribute("data-enhanced", "1");
      if (table.tBodies[0].rows.length > 1) { sortable(table); }
      if (table.getAttribute("data-searchable")) { searchable(table); foldable(table); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", enhance); } else { enhance(); }
})();
