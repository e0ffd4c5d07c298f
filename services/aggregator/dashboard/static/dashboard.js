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
      cfg.options.animation = false;
      cfg.options.responsive = true;
      cfg.options.maintainAspectRatio = false;
      new Chart(canvas, cfg);
      canvas.setAttribute("data-rendered", "1");
    });
  }
  window.addEventListener("beforeprint", function () {
    Object.values(Chart.instances || {}).forEach(function (c) { c.resize(); });
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
