// Builds the web app's front-end into web/static/dist/ (never committed):
// govuk-frontend's Sass compiled without the GOV.UK brand font, its JavaScript and images,
// the app's own module that initialises the components, and the lineage graph's and the charts'
// modules bundled with their libraries (Cytoscape.js, Vega-Lite) by esbuild.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(here, "..", "static", "dist");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(here, "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(out, "app.css"), css.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "images"), { recursive: true });
cpSync(join(here, "app.mjs"), join(out, "app.mjs"));

// The lineage graph (Cytoscape.js) and the charts (Vega-Lite through vega-embed), bundled
// with their libraries into modules that app.mjs loads only on the pages that need them.
await esbuild.build({
  entryPoints: { lineage: join(here, "lineage.mjs"), charts: join(here, "charts.mjs") },
  outdir: out,
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2020",
  legalComments: "linked",
  logLevel: "warning",
});

console.log(`Built front-end assets into ${out}`);
