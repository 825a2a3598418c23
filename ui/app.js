// @ts-check
/** The everynode dashboard: the fleet grid, DaemonSets, nodes and events, live through watches. */
import { h, render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import htm from "htm";
import { ClusterView } from "./data.js";
import { fleetModel } from "./model.js";
import { DaemonSetCard, EventsPanel, NodesPanel, PodDetails } from "./panels.js";

const html = htm.bind(h);
const tokenKey = "everynode-token";

function Login(/** @type {{ onToken: (t: string) => void }} */ { onToken }) {
  const [value, setValue] = useState("");
  return html`<form class="card login" onSubmit=${(/** @type {Event} */ e) => { e.preventDefault(); onToken(value.trim()); }}>
    <h2>Sign in</h2>
    <p>This page reads the API with your credentials. Paste the token of your kubeconfig
      (<code>kubectl config view --raw -o jsonpath='{.users[0].user.token}'</code>), or open the page through
      <code>kubectl proxy</code> at <code>http://127.0.0.1:8001/ui/</code>.</p>
    <input type="password" autocomplete="off" placeholder="bearer token" value=${value} onInput=${(/** @type {any} */ e) => setValue(e.currentTarget.value)} />
    <button type="submit">Sign in</button>
  </form>`;
}

function App() {
  const [token, setToken] = useState(() => sessionStorage.getItem(tokenKey) ?? undefined);
  const [unauthorized, setUnauthorized] = useState(false);
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState(/** @type {{ ds: string, node: string } | undefined} */ (undefined));
  const view = useMemo(() => new ClusterView({ token: () => token, onUnauthorized: () => setUnauthorized(true) }), [token]);
  useEffect(() => {
    const abort = new AbortController();
    const off = view.subscribe(() => setVersion(view.version));
    view.start(abort.signal);
    return () => { off(); abort.abort(); };
  }, [view]);
  const model = useMemo(() => fleetModel(view), [view, version]);
  if (unauthorized) {
    return html`<${Login} onToken=${(/** @type {string} */ t) => { sessionStorage.setItem(tokenKey, t); setUnauthorized(false); setToken(t); }} />`;
  }
  const pick = selected && model.daemonSets.find((d) => d.ds.key === selected.ds);
  const pod = pick ? pick.pods[model.nodes.indexOf(selected?.node ?? "")] : undefined;
  const loading = !view.synced.has("nodes") || !view.synced.has("daemonsets");
  return html`<main data-synced=${loading ? "no" : "yes"}>
    <header class="top">
      <h1>everynode</h1>
      <span class="summary" data-summary>${model.nodes.length} nodes · ${model.daemonSets.length} DaemonSets · ${view.pods.size} pods</span>
    </header>
    ${loading && html`<p class="loading">loading…</p>`}
    <section class="fleet">
      <h2>DaemonSets × nodes</h2>
      ${model.daemonSets.length === 0 && !loading && html`<p class="meta">No DaemonSets yet: <code>kubectl create -f daemonset.yaml</code></p>`}
      ${model.daemonSets.map((d) => html`<${DaemonSetCard} key=${d.ds.key} model=${d} nodes=${model.nodes} onSelect=${(/** @type {string} */ ds, /** @type {string} */ node) => setSelected({ ds, node })} />`)}
    </section>
    <div class="side">
      <${NodesPanel} nodes=${[...view.nodes.values()]} />
      <${EventsPanel} events=${[...view.events.values()]} />
    </div>
    ${selected && html`<${PodDetails} pod=${pod} node=${selected.node} load=${(/** @type {string} */ p, /** @type {AbortSignal} */ s) => view.get(p, s)} open=${(/** @type {string} */ p, /** @type {AbortSignal} */ s) => view.open(p, s)} onClose=${() => setSelected(undefined)} />`}
  </main>`;
}

const root = document.getElementById("app");
if (root) render(html`<${App} />`, root);
