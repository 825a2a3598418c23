// @ts-check
/**
 * The fleet grid: for each DaemonSet one canvas with a cell per node (nodes in the same order in every
 * DaemonSet, so a column position is a node), coloured by the daemon pod's state and revision. Drawn on a canvas,
 * so 10,000 nodes cost 10,000 rectangles per redraw and no DOM.
 */

/** Revision colours, by revision number (1-based, cycling). */
export const revisionPalette = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f"];
const noPod = "#2b3038";
const failed = "#e15759";
const deleting = "#8a8f98";

/** @param {number} revision */
export function revisionColour(revision) {
  return revisionPalette[(Math.max(1, revision) - 1) % revisionPalette.length] ?? revisionPalette[0];
}

/**
 * A cell's state. `revision` is 0 when the node has no daemon pod.
 * @typedef {{ revision: number, state: "none" | "pending" | "running" | "ready" | "failed" | "deleting" }} Cell
 */

/** @param {Cell} cell */
export function cellColour(cell) {
  switch (cell.state) {
    case "none": return noPod;
    case "failed": return failed;
    case "deleting": return deleting;
    default: return revisionColour(cell.revision);
  }
}

/** Cell size (px) for a fleet of `n` nodes. @param {number} n */
export function cellSize(n) {
  return n <= 100 ? 16 : n <= 1000 ? 9 : n <= 5000 ? 6 : 4;
}

/**
 * What a canvas shows, so the next draw repaints only the cells that changed: its layout and each cell's look
 * (colour, and whether outlined). Kept per canvas by the caller.
 * @typedef {{ width: number, count: number, ratio: number, looks: string[] }} Drawn
 */

/** @param {Cell} cell */
function look(cell) {
  return `${cellColour(cell)}${cell.state === "pending" || cell.state === "running" ? " o" : ""}`;
}

/**
 * Draws `cells` into `canvas` at `width` CSS pixels wide; pending and running-but-not-ready pods are drawn as
 * an outline of their revision's colour, ready pods filled. Given what the canvas showed before (`drawn`, same
 * layout), only the cells whose look changed are painted again, so a batch of a rollout at 10,000 nodes costs its
 * changed cells, not the whole fleet. Returns the layout for hit-testing and what the canvas now shows.
 * @param {HTMLCanvasElement} canvas @param {Cell[]} cells @param {number} width @param {Drawn | undefined} drawn
 */
export function drawGrid(canvas, cells, width, drawn) {
  const size = cellSize(cells.length);
  const pitch = size + 1;
  const cols = Math.max(1, Math.floor(width / pitch));
  const rows = Math.max(1, Math.ceil(cells.length / cols));
  const ratio = globalThis.devicePixelRatio || 1;
  const height = rows * pitch;
  const looks = cells.map(look);
  const ctx = canvas.getContext("2d");
  if (!ctx) return { layout: { cols, pitch }, drawn: undefined };
  const full = !drawn || drawn.width !== width || drawn.count !== cells.length || drawn.ratio !== ratio;
  if (full) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
  }
  // Group by look so each colour is one fillStyle change.
  /** @type {Map<string, number[]>} */
  const groups = new Map();
  for (let i = 0; i < looks.length; i++) {
    const l = /** @type {string} */ (looks[i]);
    if (!full && drawn?.looks[i] === l) continue;
    let list = groups.get(l);
    if (!list) groups.set(l, (list = []));
    list.push(i);
  }
  const inset = size >= 6 ? 2 : 1;
  for (const [l, list] of groups) {
    const outlined = l.endsWith(" o");
    ctx.fillStyle = outlined ? l.slice(0, -2) : l;
    for (const i of list) {
      const x = (i % cols) * pitch;
      const y = Math.floor(i / cols) * pitch;
      ctx.fillRect(x, y, size, size);
    }
    if (!outlined) continue;
    ctx.fillStyle = noPod;
    for (const i of list) ctx.fillRect((i % cols) * pitch + inset, Math.floor(i / cols) * pitch + inset, size - 2 * inset, size - 2 * inset);
  }
  return { layout: { cols, pitch }, drawn: { width, count: cells.length, ratio, looks } };
}

/** The index of the cell at (x, y) CSS pixels, or -1. @param {{ cols: number, pitch: number }} layout @param {number} x @param {number} y @param {number} count */
export function cellAt(layout, x, y, count) {
  const col = Math.floor(x / layout.pitch);
  const row = Math.floor(y / layout.pitch);
  if (col < 0 || col >= layout.cols || row < 0) return -1;
  const i = row * layout.cols + col;
  return i < count ? i : -1;
}
