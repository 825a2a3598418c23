// @ts-check
/** The dashboard's panels (preact + htm, no build step). */
import { h } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";
import { cellAt, drawGrid, revisionColour } from "./grid.js";
import { byNaturalName } from "./model.js";
import { PodLogs } from "./pod-logs.js";

const html = htm.bind(h);

/** @typedef {import("./model.js").DaemonSetModel} DaemonSetModel */
/** @typedef {import("./data.js").NodeView} NodeView */
/** @typedef {import("./data.js").EventView} EventView */

/** One DaemonSet: counts, revision, rollout progress, per-revision legend and its row of node cells. */
export function DaemonSetCard(/** @type {{ model: DaemonSetModel, nodes: string[], onSelect: (ds: string, node: string) => void }} */ { model, nodes, onSelect }) {
  const { ds, currentRevision, cells, legend } = model;
  const s = ds.status;
  const desired = s.desiredNumberScheduled ?? 0;
  const updated = s.updatedNumberScheduled ?? 0;
  const progress = desired === 0 ? 100 : Math.round((100 * updated) / desired);
  const done = updated === desired && (s.numberAvailable ?? 0) === desired && (s.observedGeneration ?? 0) >= ds.generation;
  /** @type {import("preact").RefObject<HTMLCanvasElement>} */
  const canvas = useRef(null);
  const layout = useRef({ cols: 1, pitch: 1 });
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = canvas.current?.parentElement;
    if (!el) return undefined;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    if (canvas.current && width > 0) layout.current = drawGrid(canvas.current, cells, width);
  }, [cells, width]);
  const click = (/** @type {MouseEvent} */ e) => {
    const rect = /** @type {HTMLCanvasElement} */ (e.currentTarget).getBoundingClientRect();
    const i = cellAt(layout.current, e.clientX - rect.left, e.clientY - rect.top, cells.length);
    const node = nodes[i];
    if (node !== undefined) onSelect(ds.key, node);
  };
  return html`<section class="card ds" data-ds=${ds.key}>
    <header>
      <h3>${ds.name} <small>${ds.namespace}</small></h3>
      <span class=${done ? "badge ok" : "badge busy"}>${done ? "rolled out" : "rolling out"}</span>
    </header>
    <dl class="counts">
      <div><dt>desired</dt><dd>${desired}</dd></div>
      <div><dt>current</dt><dd>${s.currentNumberScheduled ?? 0}</dd></div>
      <div><dt>ready</dt><dd>${s.numberReady ?? 0}</dd></div>
      <div><dt>up-to-date</dt><dd>${updated}</dd></div>
      <div><dt>available</dt><dd>${s.numberAvailable ?? 0}</dd></div>
    </dl>
    <div class="progress" title=${`${updated} of ${desired} up to date`}><div style=${`width:${progress}%;background:${revisionColour(currentRevision)}`}></div></div>
    <p class="meta">revision <b data-current-revision>${currentRevision}</b> · ${ds.images.join(", ")}</p>
    <ul class="legend">${legend.map((l) => html`<li data-revision=${l.revision}><i style=${`background:${revisionColour(l.revision)}`}></i>rev ${l.revision || "?"}: ${l.pods} pods, ${l.ready} ready</li>`)}</ul>
    <div class="grid"><canvas ref=${canvas} onClick=${click} aria-label=${`pods of ${ds.key} by node`}></canvas></div>
  </section>`;
}

/** Node summary, search and the nodes needing attention first (NotReady, unschedulable, tainted). */
export function NodesPanel(/** @type {{ nodes: NodeView[] }} */ { nodes }) {
  const [filter, setFilter] = useState("");
  const ready = nodes.filter((n) => n.ready === "True").length;
  const attention = (/** @type {NodeView} */ n) => (n.ready !== "True" ? 4 : 0) + (n.unschedulable ? 2 : 0) + (n.taints.length > 0 ? 1 : 0);
  const shown = nodes.filter((n) => !filter || n.name.includes(filter)).sort((a, b) => attention(b) - attention(a) || byNaturalName(a.name, b.name)).slice(0, 50);
  return html`<section class="card nodes">
    <header><h2>Nodes</h2><span class="summary">${nodes.length} nodes · ${ready} Ready · ${nodes.length - ready} not Ready</span></header>
    <input type="search" placeholder="filter nodes" value=${filter} onInput=${(/** @type {any} */ e) => setFilter(e.currentTarget.value)} />
    <table>
      <thead><tr><th>node</th><th>ready</th><th>conditions</th><th>taints</th></tr></thead>
      <tbody>${shown.map((n) => html`<tr key=${n.name} data-node=${n.name}>
        <td>${n.name}</td>
        <td class=${n.ready === "True" ? "ok" : "bad"}>${n.ready}${n.unschedulable ? " · cordoned" : ""}</td>
        <td>${n.conditions.filter((c) => (c.type === "Ready") !== (c.status === "True")).map((c) => `${c.type}=${c.status}`).join(", ") || "—"}</td>
        <td>${n.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(", ") || "—"}</td>
      </tr>`)}</tbody>
    </table>
  </section>`;
}

/** The newest events first. */
export function EventsPanel(/** @type {{ events: EventView[] }} */ { events }) {
  const shown = [...events].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)).slice(0, 60);
  return html`<section class="card events">
    <header><h2>Events</h2></header>
    <ul>${shown.map((e) => html`<li key=${e.key} class=${e.type === "Warning" ? "warn" : ""}>
      <time>${e.time.slice(11, 19)}</time> <b>${e.reason}</b> <span class="obj">${e.object}</span> ${e.message}${e.count > 1 ? ` (×${e.count})` : ""}
    </li>`)}</ul>
  </section>`;
}

/** The pod on one node of one DaemonSet: fetched in full when opened, with its containers' logs. */
export function PodDetails(/** @type {{ pod: import("./data.js").PodView | undefined, node: string, load: (path: string, signal: AbortSignal) => Promise<any>, open: (path: string, signal: AbortSignal) => Promise<Response>, onClose: () => void }} */ { pod, node, load, open, onClose }) {
  const [full, setFull] = useState(/** @type {any} */ (undefined));
  const [error, setError] = useState("");
  useEffect(() => {
    setFull(undefined);
    setError("");
    if (!pod) return undefined;
    const abort = new AbortController();
    load(`/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}`, abort.signal)
      .then(setFull, (/** @type {unknown} */ err) => { if (!abort.signal.aborted) setError(String(err)); });
    return () => abort.abort();
  }, [pod?.key]);
  return html`<aside class="details" role="dialog" aria-label="pod details">
    <header><h2>${pod ? pod.name : `no pod on ${node}`}</h2><button onClick=${onClose} aria-label="close">×</button></header>
    <p>node <b>${node}</b></p>
    ${pod && html`<dl class="pod">
      <dt>phase</dt><dd data-phase>${pod.phase}${pod.deleting ? " (terminating)" : ""}</dd>
      <dt>ready</dt><dd>${pod.ready ? "yes" : "no"}</dd>
      <dt>revision hash</dt><dd>${pod.hash}</dd>
      <dt>restarts</dt><dd>${pod.restarts}</dd>
    </dl>`}
    ${full && html`<h3>containers</h3><ul>${(full.spec?.containers ?? []).map((/** @type {any} */ c) => html`<li>${c.name}: <code>${c.image}</code></li>`)}</ul>
      <h3>conditions</h3><ul>${(full.status?.conditions ?? []).map((/** @type {any} */ c) => html`<li>${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}</li>`)}</ul>
      <p class="meta">pod IP ${full.status?.podIP ?? "—"} · started ${full.status?.startTime ?? "—"}</p>`}
    ${error && html`<p class="bad">${error}</p>`}
    ${pod && full && full.metadata?.uid && html`<${PodLogs} key=${full.metadata.uid} namespace=${pod.namespace} name=${pod.name}
      containers=${[...(full.spec?.containers ?? []), ...(full.spec?.initContainers ?? [])].map((/** @type {any} */ c) => c.name)} open=${open} />`}
  </aside>`;
}
