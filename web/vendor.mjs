// Copy the graph-drawing libraries (and axe-core, for the browser tests) from node_modules into the committed static files.
// The console is served without a build step; this is the only thing npm is for.
// Run `npm ci && npm run vendor` after changing the cytoscape version in package.json.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "api", "console", "static", "vendor");

mkdirSync(out, { recursive: true });
const version = (name) => JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version;
// .js, not .mjs: served as text/javascript everywhere and packaged by the "*.js" glob.
const copies = [
  ["cytoscape", "dist/cytoscape.esm.min.mjs", "cytoscape.esm.min.js", "LICENSE", "cytoscape.LICENSE"],
  ["cytoscape-dagre", "dist/cytoscape-dagre.min.mjs", "cytoscape-dagre.esm.min.js", "LICENSE", "cytoscape-dagre.LICENSE"],
  ["axe-core", "axe.min.js", "axe.min.js", "LICENSE", "axe-core.LICENSE"],
];
for (const [name, file, target, licence, licenceTarget] of copies) {
  const pkg = join(here, "node_modules", name);
  const text = readFileSync(join(pkg, file), "utf8").replace(/^\/\/# sourceMappingURL=.*$/m, "");
  writeFileSync(join(out, target), text);
  copyFileSync(join(pkg, licence), join(out, licenceTarget));
  console.log(`vendored ${name} ${version(name)} into ${out}`);
}
console.log("update vendor/VENDORED.md with the versions above");
