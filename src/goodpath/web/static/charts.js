// goodpath charts: draws each <canvas data-chart="NAME"> from the JSON block #chart-data-NAME with the
// vendored Chart.js. Every chart also has a table with its numbers, so nothing is lost without JavaScript.
(function () {
  "use strict";
  function draw() {
    if (typeof window.Chart === "undefined") return;
    const font = getComputedStyle(document.documentElement).fontFamily;
    window.Chart.defaults.font.family = font;
    window.Chart.defaults.color = "#334155";
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const block = document.getElementById("chart-data-" + canvas.dataset.chart);
      if (!block) return;
      let spec;
      try { spec = JSON.parse(block.textContent); } catch (e) { return; }
      const horizontal = Boolean(spec.horizontal);
      const stacked = Boolean(spec.stacked);
      const valueAxis = { beginAtZero: true, stacked: stacked, ticks: { precision: 0 }, grid: { color: "#edf0f4" } };
      const categoryAxis = { stacked: stacked, grid: { display: false }, ticks: { autoSkip: false } };
      new window.Chart(canvas, {
        type: spec.type || "bar",
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          indexAxis: horizontal ? "y" : "x",
          plugins: { legend: { display: spec.legend !== false, position: "bottom", labels: { boxWidth: 12 } } },
          scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        },
      });
      canvas.closest("figure")?.classList.add("chart-drawn");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
