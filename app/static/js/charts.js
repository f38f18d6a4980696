// Charts from data: each <canvas data-chart='{chart.js config}'> gets its chart. The numbers are
// also in the table beside it, so nothing depends on the picture.
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var palette = ["#0b4f9c", "#f0a020", "#2e8b57", "#c0392b", "#6c5ce7", "#00a3a3"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var config = JSON.parse(canvas.dataset.chart);
    config.data.datasets.forEach(function (dataset, i) {
      var colour = palette[i % palette.length];
      dataset.backgroundColor = dataset.backgroundColor || (dataset.type === "line" ? colour : colour + "cc");
      dataset.borderColor = dataset.borderColor || colour;
      if (dataset.type === "line") { dataset.pointRadius = 0; dataset.borderWidth = 2; dataset.fill = false; }
    });
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
    new window.Chart(canvas, config);
  });
})();
