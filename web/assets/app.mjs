// Initialises govuk-frontend's components. Loaded as a module from every page: there is no
// inline script anywhere, so a strict Content-Security-Policy can forbid them.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// "Copy" buttons beside the `dvc get` and `dvc.api.read` lines.
for (const button of document.querySelectorAll("[data-copy-target]")) {
  const target = document.getElementById(button.dataset.copyTarget);
  if (!target || !navigator.clipboard) continue;
  const label = button.innerHTML;
  button.hidden = false;
  button.setAttribute("aria-live", "polite");
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(target.textContent.trim());
    button.textContent = "Copied";
    setTimeout(() => { button.innerHTML = label; }, 2000);
  });
}

// The lineage graph and the charts load their libraries only on the pages that have them.
const lineage = document.querySelector("[data-lineage-url]");
if (lineage) {
  import("./lineage.js").then(({ drawLineage }) => drawLineage(lineage));
}
const charts = document.querySelectorAll("[data-chart-spec]");
if (charts.length) {
  import("./charts.js").then(({ drawChart }) => {
    for (const chart of charts) drawChart(chart);
  });
}
