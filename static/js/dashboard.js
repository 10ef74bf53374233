// Draws the compliance-rate chart from the JSON the page carries (no inline script: CSP).
(function () {
  "use strict";
  var data = document.getElementById("compliance-chart-data");
  var canvas = document.getElementById("compliance-chart");
  if (!data || !canvas || !window.Chart) { return; }
  var chart = JSON.parse(data.textContent);
  var colours = ["#0b4f6c", "#a3161a", "#1a6b32", "#8a5300", "#5b2a86", "#00606b"];
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: chart.labels,
      datasets: chart.series.map(function (s, i) {
        return { label: s.label, data: s.data, borderColor: colours[i % colours.length], backgroundColor: colours[i % colours.length], spanGaps: true };
      })
    },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, max: 100, title: { display: true, text: "% of assessable case-months met" } } } }
  });
})();
