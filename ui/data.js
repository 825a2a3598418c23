// @ts-check
/**
 * The dashboard's view of the cluster: DaemonSets, ControllerRevisions, nodes, pods and events kept current by
 * list + watch on the API (the page's own origin: the API server, or `kubectl proxy` in front of it). Objects are
 * reduced to the fields the page shows; changes are batched and announced at most every `batchMs`.
 */

/** @typedef {{ key: string, namespace: string, name: string, uid: string, generation: number, status: Record<string, number>, images: string[], selector: string }} DaemonSetView */
/** @typedef {{ key: string, owner: string, revision: number, hash: string }} RevisionView */
/** @typedef {{ name: string, ready: string, conditions: { type: string, status: string }[], taints: { key: string, value?: string, effect: string }[], unschedulable: boolean }} NodeView */
/** @typedef {{ key: string, namespace: string, name: string, node: string, phase: string, ready: boolean, hash: string, owner: string, deleting: boolean, restarts: number }} PodView */
/** @typedef {{ key: string, time: string, type: string, reason: string, object: string, message: string, count: number }} EventView */

/** @param {any} ds @returns {DaemonSetView} */
function daemonSetView(ds) {
  const m = ds.metadata ?? {};
  const labels = ds.spec?.selector?.matchLabels ?? {};
  return {
    key: `${m.namespace}/${m.name}`, namespace: m.namespace, name: m.name, uid: m.uid, generation: m.generation ?? 0,
    status: ds.status ?? {}, images: (ds.spec?.template?.spec?.containers ?? []).map((/** @type {any} */ c) => c.image),
    selector: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(","),
  };
}

/** @param {any} cr @returns {RevisionView} */
function revisionView(cr) {
  const m = cr.metadata ?? {};
  const owner = (m.ownerReferences ?? []).find((/** @type {any} */ o) => o.controller)?.uid ?? "";
  return { key: `${m.namespace}/${m.name}`, owner, revision: Number(cr.revision ?? 0), hash: m.labels?.["controller-revision-hash"] ?? "" };
}

/** @param {any} n @returns {NodeView} */
function nodeView(n) {
  const conditions = (n.status?.conditions ?? []).map((/** @type {any} */ c) => ({ type: c.type, status: c.status }));
  return {
    name: n.metadata?.name ?? "", ready: conditions.find((/** @type {any} */ c) => c.type === "Ready")?.status ?? "Unknown",
    conditions, taints: n.spec?.taints ?? [], unschedulable: n.spec?.unschedulable === true,
  };
}

/** @param {any} p @returns {PodView} */
function podView(p) {
  const m = p.metadata ?? {};
  const owner = (m.ownerReferences ?? []).find((/** @type {any} */ o) => o.controller && o.kind === "DaemonSet")?.uid ?? "";
  return {
    key: `${m.namespace}/${m.name}`, namespace: m.namespace, name: m.name, node: p.spec?.nodeName ?? "", phase: p.status?.phase ?? "Pending",
    ready: (p.status?.conditions ?? []).some((/** @type {any} */ c) => c.type === "Ready" && c.status === "True"),
    hash: m.labels?.["controller-revision-hash"] ?? "", owner, deleting: Boolean(m.deletionTimestamp),
    restarts: (p.status?.containerStatuses ?? []).reduce((/** @type {number} */ s, /** @type {any} */ c) => s + (c.restartCount ?? 0), 0),
  };
}

/** @param {any} e @returns {EventView} */
function eventView(e) {
  const o = e.involvedObject ?? {};
  return {
    key: `${e.metadata?.namespace}/${e.metadata?.name}`, time: e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? "",
    type: e.type ?? "", reason: e.reason ?? "", object: `${(o.kind ?? "").toLowerCase()}/${o.name ?? ""}`, message: e.message ?? "", count: e.count ?? 1,
  };
}

/**
 * What a failed response says: `<code> <reason>: <message>` of a metav1.Status body, else its text.
 * @param {Response} res
 */
async function failureText(res) {
  const text = await res.text().catch(() => "");
  try {
    const status = JSON.parse(text);
    if (status && status.kind === "Status" && typeof status.message === "string") return `${res.status} ${status.reason ?? res.statusText}: ${status.message}`;
  } catch { /* not JSON: the text itself */ }
  return `${res.status} ${res.statusText}${text.trim() ? `: ${text.trim().slice(0, 500)}` : ""}`;
}

/** An HTTP failure with its status code. */
export class HttpError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) { super(message); this.status = status; }
}

const maxEvents = 200;

/** The cluster as the page sees it; `subscribe` to hear (batched) changes. */
export class ClusterView {
  /** @param {{ token: () => string | undefined, batchMs?: number, onUnauthorized: () => void }} options */
  constructor(options) {
    this.options = options;
    /** @type {Map<string, DaemonSetView>} */ this.daemonSets = new Map();
    /** @type {Map<string, RevisionView>} */ this.revisions = new Map();
    /** @type {Map<string, NodeView>} */ this.nodes = new Map();
    /** @type {Map<string, PodView>} */ this.pods = new Map();
    /** @type {Map<string, EventView>} */ this.events = new Map();
    /** Bumped on every batch of changes. */
    this.version = 0;
    /** Resources whose first list has arrived. */
    this.synced = new Set();
    /** @type {Set<() => void>} */ this.listeners = new Set();
    /** @type {ReturnType<typeof setTimeout> | undefined} */ this.timer = undefined;
  }

  /** @param {() => void} fn @returns {() => void} */
  subscribe(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }

  changed() {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.version++;
      for (const fn of this.listeners) fn();
    }, this.options.batchMs ?? 200);
  }

  /** Starts list + watch of every resource the page shows, until `signal` aborts. @param {AbortSignal} signal */
  start(signal) {
    const sync = (/** @type {string} */ name, /** @type {string} */ path, /** @type {Map<string, any>} */ map, /** @type {(o: any) => any} */ view, /** @type {(o: any) => string} */ key, /** @type {number | undefined} */ limit) =>
      void this.follow(name, path, map, view, key, limit, signal);
    sync("daemonsets", "/apis/apps/v1/daemonsets", this.daemonSets, daemonSetView, (v) => v.key);
    sync("controllerrevisions", "/apis/apps/v1/controllerrevisions", this.revisions, revisionView, (v) => v.key);
    sync("nodes", "/api/v1/nodes", this.nodes, nodeView, (v) => v.name);
    sync("pods", "/api/v1/pods", this.pods, podView, (v) => v.key);
    sync("events", "/api/v1/events", this.events, eventView, (v) => v.key, maxEvents);
  }

  /**
   * GET `url`; a failure rejects with an HttpError carrying the API's Status message (or the response text).
   * @param {string} url @param {AbortSignal} signal
   */
  async request(url, signal) {
    const token = this.options.token();
    const res = await fetch(url, { signal, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (res.status === 401) this.options.onUnauthorized();
    if (!res.ok) throw new HttpError(res.status, await failureText(res));
    return res;
  }

  /** GET one object (the details panel). @param {string} path @param {AbortSignal} signal */
  async get(path, signal) {
    return (await this.request(`..${path}`, signal)).json();
  }

  /** GET `path` of the API as a response to read (a log stream). @param {string} path @param {AbortSignal} signal */
  async open(path, signal) {
    return this.request(`..${path}`, signal);
  }

  /**
   * Lists `path` (in pages of 500; with `limit`, only the first page of that size) and watches from the list's
   * resourceVersion, relisting when the watch expires or fails.
   * @param {string} name @param {string} path @param {Map<string, any>} map @param {(o: any) => any} view
   * @param {(v: any) => string} key @param {number | undefined} limit @param {AbortSignal} signal
   */
  async follow(name, path, map, view, key, limit, signal) {
    let delay = 500;
    while (!signal.aborted) {
      try {
        let rv = await this.list(path, map, view, key, limit, signal);
        this.synced.add(name);
        this.changed();
        for (;;) {
          const next = await this.watch(path, rv, map, view, key, limit, signal);
          if (next === undefined) break;
          rv = next;
          delay = 500;
        }
      } catch (err) {
        if (signal.aborted) return;
        console.warn(`dashboard: ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }

  /** @param {string} path @param {Map<string, any>} map @param {(o: any) => any} view @param {(v: any) => string} key @param {number | undefined} limit @param {AbortSignal} signal */
  async list(path, map, view, key, limit, signal) {
    const fresh = new Map();
    let cont = "";
    let rv = "";
    do {
      const q = new URLSearchParams({ limit: String(limit ?? 500) });
      if (cont) q.set("continue", cont);
      const body = await (await this.request(`..${path}?${q}`, signal)).json();
      for (const item of body.items ?? []) { const v = view(item); fresh.set(key(v), v); }
      rv = body.metadata?.resourceVersion ?? rv;
      cont = limit === undefined ? (body.metadata?.continue ?? "") : "";
    } while (cont);
    map.clear();
    for (const [k, v] of fresh) map.set(k, v);
    return rv;
  }

  /**
   * One watch from `rv`; resolves the resourceVersion to continue from when it ends normally, undefined when the
   * version expired (relist).
   * @param {string} path @param {string} rv @param {Map<string, any>} map @param {(o: any) => any} view @param {(v: any) => string} key @param {number | undefined} limit @param {AbortSignal} signal
   */
  async watch(path, rv, map, view, key, limit, signal) {
    const q = new URLSearchParams({ watch: "1", resourceVersion: rv, allowWatchBookmarks: "true", timeoutSeconds: "300" });
    const res = await this.request(`..${path}?${q}`, signal);
    if (!res.body) return rv;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return rv;
      buffer += value;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.trim()) continue;
        const ev = JSON.parse(line);
        if (ev.type === "ERROR") { void reader.cancel(); return ev.object?.code === 410 ? undefined : rv; }
        rv = ev.object?.metadata?.resourceVersion ?? rv;
        if (ev.type === "BOOKMARK") continue;
        const v = view(ev.object);
        if (ev.type === "DELETED") map.delete(key(v));
        else map.set(key(v), v);
        if (limit !== undefined && map.size > limit) {
          const oldest = map.keys().next().value;
          if (oldest !== undefined) map.delete(oldest);
        }
        this.changed();
      }
    }
  }
}
