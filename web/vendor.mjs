// Copy the graph-drawing library from node_modules into the committed static files.
// The console is served without a build step; this is the only thing npm is for.
// Run `npm ci && npm run vendor` after changing the cytoscape version in package.json.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "api", "console", "static", "vendor");
const pkg = join(here, "node_modules", "cytoscape");
const version = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;

mkdirSync(out, { recursive: true });
// .js, not .mjs: served as text/javascript everywhere and packaged by the "*.js" glob.
copyFileSync(join(pkg, "dist", "cytoscape.esm.min.mjs"), join(out, "cytoscape.esm.min.js"));
copyFileSync(join(pkg, "LICENSE"), join(out, "cytoscape.LICENSE"));
writeFileSync(
  join(out, "VENDORED.md"),
  `# Vendored libraries\n\n| file | package | version | licence |\n|---|---|---|---|\n` +
    `| cytoscape.esm.min.js | cytoscape (npm) | ${version} | MIT, see cytoscape.LICENSE |\n\n` +
    `Regenerate with \`cd web && npm ci && npm run vendor\`.\n`,
);
console.log(`vendored cytoscape ${version} into ${out}`);
