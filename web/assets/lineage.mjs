// The lineage graph, drawn with Cytoscape.js from the page's JSON twin. Columns by distance:
// sources on the left, the dataset in the middle, what is made from it on the right. The
// tables under the graph say the same in text, for readers without JavaScript or a screen.
import cytoscape from "cytoscape";

const COLUMN = 260;
const ROW = 80;
const COLOURS = { dataset: "#1d70b8", restricted: "#505a5f", external: "#00703c" };

function positions(nodes) {
  const rows = new Map();
  const placed = {};
  for (const node of nodes) {
    const row = rows.get(node.distance) ?? 0;
    rows.set(node.distance, row + 1);
    placed[node.id] = { x: node.distance * COLUMN, y: row * ROW };
  }
  for (const node of nodes) {  // centre each column
    placed[node.id].y -= ((rows.get(node.distance) - 1) * ROW) / 2;
  }
  return placed;
}

function datasetUrl(template, node) {
  if (node.kind !== "dataset") return null;
  const [dept, name] = node.dataset.split("/");
  const url = template.replace("DEPT", encodeURIComponent(dept)).replace("NAME", encodeURIComponent(name));
  return node.version ? `${url}/versions/${node.version}` : url;
}

// Cytoscape.js adds a <style> element (position: relative for its container) unless one with
// this id exists: the CSP refuses inline styles, so app.scss has the rule and this marks it.
const CYTOSCAPE_STYLESHEET = "__________cytoscape_stylesheet";

export async function drawLineage(container) {
  if (!document.getElementById(CYTOSCAPE_STYLESHEET)) {
    const marker = document.createElement("meta");
    marker.id = CYTOSCAPE_STYLESHEET;
    document.head.append(marker);
  }
  const response = await fetch(container.dataset.lineageUrl, {
    headers: { Accept: "application/json" }, credentials: "same-origin",
  });
  if (!response.ok) return;
  const graph = await response.json();
  const placed = positions(graph.nodes);
  const elements = [
    ...graph.nodes.map((node) => ({
      data: {
        id: node.id, label: node.label, kind: node.kind,
        url: datasetUrl(container.dataset.datasetUrl, node),
      },
      position: placed[node.id],
      classes: node.distance === 0 ? "root" : "",
    })),
    ...graph.edges.map((edge, i) => ({
      data: { id: `edge-${i}`, source: edge.source, target: edge.target, kind: edge.kind },
    })),
  ];
  const figure = container.closest("figure");
  if (figure) figure.hidden = false;
  const cy = cytoscape({
    container,
    elements,
    layout: { name: "preset", fit: true, padding: 30 },
    wheelSensitivity: 0.3,
    style: [
      {
        selector: "node",
        style: {
          shape: "round-rectangle", width: 200, height: 50, "background-color": "#ffffff",
          "border-width": 2, "border-color": (n) => COLOURS[n.data("kind")] ?? "#0b0c0c",
          label: "data(label)", "text-wrap": "wrap", "text-max-width": 190,
          "text-valign": "center", "text-halign": "center", "font-size": 13, color: "#0b0c0c",
        },
      },
      { selector: "node[kind = 'restricted']", style: { "border-style": "dashed", color: "#505a5f" } },
      { selector: "node.root", style: { "border-width": 5, "font-weight": "bold" } },
      {
        selector: "edge",
        style: {
          width: 2, "line-color": "#505a5f", "target-arrow-color": "#505a5f",
          "target-arrow-shape": "triangle", "curve-style": "bezier",
        },
      },
      { selector: "edge[kind = 'import']", style: { "line-style": "dashed" } },
    ],
  });
  cy.on("tap", "node", (event) => {
    const url = event.target.data("url");
    if (url) window.location.assign(url);
  });
  // What was drawn, for tests and for anyone reading the page's markup.
  container.dataset.drawnNodes = JSON.stringify(cy.nodes().map((n) => n.data("label")));
  container.dataset.state = "drawn";
  return cy;
}
