import type { HealthChecks } from "../apiserver/http/health.js";
import { pingCheck } from "../apiserver/http/health.js";
import type { SharedInformerFactory } from "../client/informer-factory.js";
import { mustFindResource } from "../api/resources.js";
import type { Backend } from "../storage/backend.js";

/**
 * The checks of one control plane process, named as kube-apiserver names them: `ping`, `log`, `etcd` (the store
 * answers a read), and for readiness also `informer-sync` (the shared DaemonSet, Node and Pod caches have
 * listed) and `shutdown` (fails once the process is stopping).
 */
export function controlPlaneHealth(parts: { backend: Backend; informers: SharedInformerFactory; stopping: { readonly value: boolean } }): HealthChecks {
  const log = { name: "log", check: () => undefined };
  const etcd = { name: "etcd", check: async () => { await parts.backend.currentRevision(); return undefined; } };
  const watched = [mustFindResource("apps", "daemonsets"), mustFindResource("", "nodes"), mustFindResource("", "pods")];
  const informerSync = {
    name: "informer-sync",
    check: () => {
      const pending = watched.filter((r) => !parts.informers.informerFor(r).hasSynced()).map((r) => r.resource);
      return pending.length === 0 ? undefined : `caches not synced: ${pending.join(", ")}`;
    },
  };
  const shutdown = { name: "shutdown", check: () => (parts.stopping.value ? "process is shutting down" : undefined) };
  return { livez: [pingCheck, log, etcd], readyz: [pingCheck, log, etcd, informerSync, shutdown] };
}
