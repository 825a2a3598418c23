// @ts-check
/** What the page draws, derived from the ClusterView on each batch of changes. */

/** @typedef {import("./data.js").ClusterView} ClusterView */
/** @typedef {import("./data.js").DaemonSetView} DaemonSetView */
/** @typedef {import("./data.js").PodView} PodView */
/** @typedef {import("./grid.js").Cell} Cell */

/**
 * @typedef {{ ds: DaemonSetView, currentRevision: number, cells: Cell[], pods: (PodView | undefined)[],
 *   legend: { revision: number, pods: number, ready: number }[] }} DaemonSetModel
 */

/** @param {PodView} pod @returns {Cell["state"]} */
function podState(pod) {
  if (pod.deleting) return "deleting";
  if (pod.phase === "Failed") return "failed";
  if (pod.ready) return "ready";
  return pod.phase === "Running" ? "running" : "pending";
}

/** @param {ClusterView} view @returns {{ nodes: string[], daemonSets: DaemonSetModel[] }} */
export function fleetModel(view) {
  const { names: nodes, index } = view.nodeOrdering();
  /** @type {Map<string, Map<string, number>>} revision number by hash, per DaemonSet uid */
  const revisions = new Map();
  for (const r of view.revisions.values()) {
    let m = revisions.get(r.owner);
    if (!m) revisions.set(r.owner, (m = new Map()));
    m.set(r.hash, r.revision);
  }
  /** @type {Map<string, PodView[]>} */
  const podsByOwner = new Map();
  for (const p of view.pods.values()) {
    if (!p.owner) continue;
    let list = podsByOwner.get(p.owner);
    if (!list) podsByOwner.set(p.owner, (list = []));
    list.push(p);
  }
  const daemonSets = [...view.daemonSets.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map((ds) => {
    const byHash = revisions.get(ds.uid) ?? new Map();
    const currentRevision = Math.max(0, ...byHash.values());
    /** @type {Cell[]} */
    const cells = nodes.map(() => ({ revision: 0, state: "none" }));
    /** @type {(PodView | undefined)[]} */
    const pods = nodes.map(() => undefined);
    /** @type {Map<number, { revision: number, pods: number, ready: number }>} */
    const legend = new Map();
    for (const p of podsByOwner.get(ds.uid) ?? []) {
      const i = index.get(p.node);
      const revision = byHash.get(p.hash) ?? 0;
      let entry = legend.get(revision);
      if (!entry) legend.set(revision, (entry = { revision, pods: 0, ready: 0 }));
      entry.pods++;
      if (p.ready && !p.deleting) entry.ready++;
      if (i === undefined) continue;
      const current = pods[i];
      // A node may briefly hold an old pod being deleted and its replacement: show the replacement.
      if (current && !current.deleting && p.deleting) continue;
      pods[i] = p;
      cells[i] = { revision, state: podState(p) };
    }
    return { ds, currentRevision, cells, pods, legend: [...legend.values()].sort((a, b) => b.revision - a.revision) };
  });
  return { nodes, daemonSets };
}

const collator = new Intl.Collator(undefined, { numeric: true });

/** Orders `node-2` before `node-10`. @param {string} a @param {string} b */
export function byNaturalName(a, b) {
  return collator.compare(a, b);
}
