/* The back office's home: draws each panel's chart with the vendored Chart.js, from the figures the
   page carries as JSON (the same numbers as the panel's table, which stays the accessible source).
   Without JavaScript, or if Chart.js is missing, the tables are the whole story. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var css = getComputedStyle(document.documentElement);
  function colour(name, fallback) {
    var value = css.getPropertyValue(name).trim();
    return value || fallback;
  }
  var palette = [colour("--secondary", "#417690"), colour("--accent", "#f5dd5d"), colour("--primary", "#79aec8")];
  var text = colour("--body-quiet-color", "#666");
  var grid = colour("--hairline-color", "#e8e8e8");
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var horizontal = spec.kind === "hbar";
    box.hidden = false;
    var canvas = box.querySelector("canvas");
    var chart = new window.Chart(canvas, {
      type: spec.kind === "line" ? "line" : "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series, i) {
          return {
            label: series.name,
            data: series.values,
            backgroundColor: palette[i % palette.length],
            borderColor: palette[i % palette.length],
            borderWidth: 1,
            maxBarThickness: 36
          };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: still ? false : { duration: 300 },
        plugins: {
          legend: { display: spec.series.length > 1, labels: { color: text } },
          title: { display: false }
        },
        scales: {
          x: { ticks: { color: text }, grid: { color: grid }, beginAtZero: true },
          y: { ticks: { color: text }, grid: { color: grid }, beginAtZero: true,
               title: { display: !horizontal && !!spec.unit, text: spec.unit, color: text } }
        }
      }
    });
    box.setAttribute("data-drawn", "true");
    /* The chart now shows the figures: fold their table (one click away, still in the page). */
    var panel = box.closest(".dash-panel");
    var table = panel && panel.querySelector("details.dash-table");
    if (table && chart) {
      table.open = false;
    }
  });
})();
