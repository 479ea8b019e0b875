// How each kind of node looks in the network: a colour, a shape and a one-character icon,
// chosen so no two kinds share both colour and shape (addresses, orders and waybills were
// near-identical greys). The legend draws the same shape and icon as the graph.

import { h } from "./dom.js";
import { getLang } from "./i18n.js";

/** label → [colour, cytoscape shape, icon zh, icon en] */
export const KINDS = {
  Business: ["#1f5f9e", "round-rectangle", "企", "B"],
  Person: ["#b8520f", "ellipse", "人", "P"],
  Store: ["#1d7a4f", "diamond", "店", "S"],
  Address: ["#6d4c41", "triangle", "址", "A"],
  Phone: ["#7b3fa0", "round-tag", "话", "T"],
  Email: ["#3d5a6c", "rhomboid", "邮", "E"],
  Brand: ["#9c6500", "star", "标", "M"],
  Account: ["#00707a", "hexagon", "号", "U"],
  Order: ["#4a5d23", "rectangle", "单", "O"],
  Waybill: ["#5c5c8a", "vee", "运", "W"],
  Licence: ["#2e6b8a", "tag", "证", "L"],
  Listing: ["#8b2500", "octagon", "名", "N"],
  Violation: ["#6a1b4d", "octagon", "违", "V"],
  Restriction: ["#b71c1c", "octagon", "限", "R"],
  InfringementReport: ["#8a3b12", "pentagon", "诉", "C"],
  ShellCluster: ["#4e342e", "concave-hexagon", "壳", "H"],
  BrushingRing: ["#880e4f", "concave-hexagon", "刷", "K"],
  AllianceMember: ["#37474f", "round-pentagon", "盟", "Y"],
};
const OTHER = ["#546e7a", "ellipse", "?", "?"];
export const RESTRICTED = "#c62828";
export const GROUP = "#455a64";

export function kind(label) {
  return KINDS[label] || OTHER;
}

export function colourOf(label) {
  return kind(label)[0];
}

export function shapeOf(label) {
  return kind(label)[1];
}

export function glyphOf(label) {
  const k = kind(label);
  return getLang() === "zh" ? k[2] : k[3];
}

const icons = new Map();

/** The icon drawn inside a node: a white character, as an SVG data URI (CSP allows data:). */
export function iconOf(label) {
  const key = `${getLang()}:${label}`;
  if (!icons.has(key)) {
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">` +
      `<text x="20" y="21" font-size="22" font-weight="700" fill="#ffffff" text-anchor="middle" ` +
      `dominant-baseline="middle" font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif">` +
      `${glyphOf(label)}</text></svg>`;
    icons.set(key, `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`);
  }
  return icons.get(key);
}

// CSS stand-ins for cytoscape's shapes in the legend.
const CLIP = {
  "round-rectangle": null,
  rectangle: null,
  ellipse: null,
  diamond: "polygon(50% 0, 100% 50%, 50% 100%, 0 50%)",
  triangle: "polygon(50% 0, 100% 100%, 0 100%)",
  "round-tag": "polygon(0 0, 75% 0, 100% 50%, 75% 100%, 0 100%)",
  tag: "polygon(0 0, 75% 0, 100% 50%, 75% 100%, 0 100%)",
  rhomboid: "polygon(25% 0, 100% 0, 75% 100%, 0 100%)",
  star: "polygon(50% 0, 61% 35%, 98% 35%, 68% 57%, 79% 91%, 50% 70%, 21% 91%, 32% 57%, 2% 35%, 39% 35%)",
  hexagon: "polygon(25% 0, 75% 0, 100% 50%, 75% 100%, 25% 100%, 0 50%)",
  "concave-hexagon": "polygon(0 0, 100% 0, 85% 50%, 100% 100%, 0 100%, 15% 50%)",
  vee: "polygon(0 0, 50% 40%, 100% 0, 50% 100%)",
  octagon: "polygon(30% 0, 70% 0, 100% 30%, 100% 70%, 70% 100%, 30% 100%, 0 70%, 0 30%)",
  pentagon: "polygon(50% 0, 100% 38%, 82% 100%, 18% 100%, 0 38%)",
  "round-pentagon": "polygon(50% 0, 100% 38%, 82% 100%, 18% 100%, 0 38%)",
};

/** A legend swatch: the node's shape, colour and icon. */
export function swatch(label) {
  const [colour, shape] = kind(label);
  const style = [
    `background:${colour}`,
    shape === "ellipse" ? "border-radius:50%" : shape === "round-rectangle" ? "border-radius:4px" : "",
    CLIP[shape] ? `clip-path:${CLIP[shape]}` : "",
  ].filter(Boolean).join(";");
  return h("i", { class: "swatch", style, "aria-hidden": "true" }, glyphOf(label));
}
