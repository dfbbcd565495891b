// Charts of the statistics page (bars, bars stacked by year, lines over the years), drawn with the vendored Chart.js from the tables under them:
// the table is the data (for screen readers, copy and paste, and CSV), the chart only shows it.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var COLOURS = ["#08519c", "#e6550d", "#31a354", "#756bb1", "#636363", "#3182bd", "#fd8d3c", "#74c476",
    "#9e9ac8", "#969696", "#6baed6", "#fdae6b"];

  function numbers(row) {
    return Array.prototype.map.call(row.querySelectorAll("td"), function (cell) {
      return parseFloat(cell.getAttribute("data-number") || "0");
    });
  }

  function canvasBefore(table, height) {
    var holder = document.createElement("div");
    holder.className = "chart-holder";
    holder.style.height = height + "px";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "Chart of the table below: " + table.caption.textContent.split(" · ")[0]);
    holder.appendChild(canvas);
    table.parentNode.insertBefore(holder, table);
    return canvas;
  }

  function bar(table) {
    var rows = table.tBodies[0].rows;
    if (!rows.length) return;
    var headers = table.tHead.rows[0].cells;
    var values = Array.prototype.map.call(rows, numbers);
    // the first column with any figure: projects, else participations (roles have no project count)
    var column = 0;
    while (column < headers.length - 2 && values.every(function (v) { return !v[column]; })) column++;
    var labels = Array.prototype.map.call(rows, function (row) { return row.cells[0].textContent; });
    new Chart(canvasBefore(table, 40 + rows.length * 22), {
      type: "bar",
      data: { labels: labels, datasets: [{ label: headers[column + 1].textContent, backgroundColor: COLOURS[0],
        data: values.map(function (v) { return v[column]; }) }] },
      options: { indexAxis: "y", animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } }
    });
  }

  function stacked(table, lines) {
    var rows = table.tBodies[0].rows;
    if (!rows.length) return;
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells, 1);
    var values = Array.prototype.map.call(rows, numbers);
    new Chart(canvasBefore(table, 320), {
      type: lines ? "line" : "bar",
      data: {
        labels: Array.prototype.map.call(rows, function (row) { return row.cells[0].textContent; }),
        datasets: headers.map(function (header, i) {
          var colour = COLOURS[i % COLOURS.length];
          return { label: header.textContent, backgroundColor: colour, borderColor: colour,
            data: values.map(function (v) { return v[i]; }) };
        })
      },
      options: { animation: false, maintainAspectRatio: false,
        scales: { x: { stacked: !lines }, y: { stacked: !lines } } }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("figure[data-chart]"), function (figure) {
    var table = figure.querySelector("table");
    var kind = figure.getAttribute("data-chart");
    if (!table) return;
    if (kind === "bar") bar(table);
    if (kind === "stacked") stacked(table, false);
    if (kind === "lines") stacked(table, true);
    figure.classList.add("charted");
  });
})();
