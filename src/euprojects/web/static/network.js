// Draws the collaboration network of /network with Cytoscape.js (vendored in vendor/cytoscape/).
// The data is the page's own JSON block (a data block, not a script, so the Content-Security-Policy
// allows it); the tables below the drawing hold the same numbers for screen readers and without
// JavaScript.
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("network-drawing");
    var source = document.getElementById("network-data");
    if (!holder || !source || typeof window.cytoscape !== "function") {
      return;
    }
    var network = JSON.parse(source.textContent);
    var most = Math.max.apply(null, network.nodes.map(function (n) { return n.projects; }).concat([1]));
    var strongest = Math.max.apply(null, network.edges.map(function (e) { return e.projects; }).concat([1]));
    var elements = network.nodes.map(function (node) {
      return {
        data: {
          id: node.id,
          label: node.label.length > 40 ? node.label.slice(0, 38) + "…" : node.label,
          url: node.url || "/network?country=" + encodeURIComponent(node.id),
          size: 14 + 46 * Math.sqrt(node.projects / most),
        },
      };
    });
    network.edges.forEach(function (edge, i) {
      elements.push({
        data: {
          id: "e" + i,
          source: edge.source,
          target: edge.target,
          width: 1 + 9 * Math.sqrt(edge.projects / strongest),
        },
      });
    });
    holder.classList.add("drawn");
    var cy = window.cytoscape({
      container: holder,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        {
          selector: "node",
          style: {
            "background-color": "#1f4e79",
            label: "data(label)",
            width: "data(size)",
            height: "data(size)",
            "font-size": 10,
            color: "#1b1b1b",
            "text-valign": "bottom",
            "text-margin-y": 3,
            "text-wrap": "ellipsis",
            "text-max-width": 160,
          },
        },
        {
          selector: "edge",
          style: { width: "data(width)", "line-color": "#9bb4cc", opacity: 0.7, "curve-style": "haystack" },
        },
        { selector: "node:selected", style: { "background-color": "#b3541e" } },
      ],
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 90 },
    });
    cy.on("tap", "node", function (event) {
      window.location.assign(event.target.data("url"));
    });
    window.__network = cy;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
