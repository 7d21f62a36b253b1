// Initialises govuk-frontend's components. Loaded as a module from every page: there is no
// inline script anywhere, so a strict Content-Security-Policy can forbid them.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// "Copy" buttons beside the `dvc get` and `dvc.api.read` lines.
for (const button of document.querySelectorAll("[data-copy-target]")) {
  const target = document.getElementById(button.dataset.copyTarget);
  if (!target || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(target.textContent.trim());
    const label = button.textContent;
    button.textContent = "Copied";
    button.setAttribute("aria-live", "polite");
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
