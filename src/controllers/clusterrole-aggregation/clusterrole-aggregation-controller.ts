/**
 * The ClusterRole aggregation controller (kube-controller-manager's clusterrole-aggregation): a ClusterRole with an
 * `aggregationRule` gets as `rules` the union of the rules of every other ClusterRole matching any of its
 * `clusterRoleSelectors` — those roles taken by name, each rule once — and is rewritten whenever that union
 * changes: when a matching role is created, changed or deleted, or a role starts or stops matching.
 */
import { labelSelectorFromObject } from "../../api/label-selector.js";
import { mustFindResource } from "../../api/resources.js";
import { isStatus } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { Informer } from "../../client/informer.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";
import type { ControlLoopOptions } from "../../controller/control-loop.js";
import { runReconciler, type ReconcileResult, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { realClock } from "../../util/clock.js";
import { jsonEqual } from "../../util/json.js";
import { reportTo } from "../../util/report.js";

const clusterRoles = mustFindResource("rbac.authorization.k8s.io", "clusterroles");

/** The field manager of the controller's writes. */
export const aggregationFieldManager = "clusterrole-aggregation-controller";

function selectorsOf(role: KubeObject): unknown[] | undefined {
  const rule = role.aggregationRule as { clusterRoleSelectors?: unknown } | undefined | null;
  if (!rule || typeof rule !== "object") return undefined;
  return Array.isArray(rule.clusterRoleSelectors) ? rule.clusterRoleSelectors : [];
}

function matchesAny(selectors: unknown[], labels: Record<string, string> | undefined): boolean {
  return selectors.some((s) => {
    try {
      return labelSelectorFromObject(s as Parameters<typeof labelSelectorFromObject>[0]).matches(labels);
    } catch {
      return false; // an invalid selector selects nothing
    }
  });
}

/**
 * The aggregated rules of `role` from the ClusterRoles `all`: the rules of every other role matching one of its
 * selectors, roles in name order, a rule equal to one already taken left out. Undefined for a role without an
 * aggregationRule.
 */
export function aggregatedRules(role: KubeObject, all: readonly KubeObject[]): unknown[] | undefined {
  const selectors = selectorsOf(role);
  if (!selectors) return undefined;
  const name = role.metadata?.name;
  const sources = all
    .filter((r) => r.metadata?.name !== name && matchesAny(selectors, r.metadata?.labels))
    .sort((a, b) => ((a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1));
  const rules: unknown[] = [];
  for (const source of sources) {
    for (const rule of Array.isArray(source.rules) ? source.rules : []) {
      if (!rules.some((r) => jsonEqual(r, rule))) rules.push(rule);
    }
  }
  return rules;
}

/** Keeps aggregated ClusterRoles' rules (see the file comment); one queue key per aggregated role. */
export class ClusterRoleAggregationController implements Reconciler {
  /** The queue of aggregated ClusterRole names. */
  readonly queue: WorkQueue<string>;
  private readonly roles: Informer<KubeObject>;

  /** Creates the controller and registers its informer handlers. */
  constructor(private readonly options: ControlLoopOptions) {
    this.roles = options.informers.informerFor<KubeObject>(clusterRoles);
    this.queue = new WorkQueue<string>({ clock: options.clock ?? realClock(), metrics: options.metrics?.workQueue("clusterrole_aggregation") });
    // Any change may matter to any aggregated role (labels come and go), as upstream enqueues them all.
    const enqueueAll = (): void => {
      for (const role of this.roles.store.list()) if (selectorsOf(role)) this.queue.add(role.metadata?.name ?? "");
    };
    this.roles.addEventHandler({
      onAdd: enqueueAll,
      onUpdate: (old, cur) => { if (!jsonEqual(old.metadata?.labels, cur.metadata?.labels) || !jsonEqual(old.rules, cur.rules) || !jsonEqual(old.aggregationRule, cur.aggregationRule)) enqueueAll(); },
      onDelete: enqueueAll,
    });
  }

  /** Waits for the cache, then reconciles until `signal` aborts; resolves once the workers stopped. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await waitForCacheSync([this.roles], signal, this.queue))) return;
    await runReconciler({
      name: "clusterrole-aggregation", queue: this.queue, reconciler: this, workers: this.options.workers ?? 1, signal,
      onError: (error, key) => reportTo(this.options.onError, error, key),
    });
  }

  /** Writes the aggregated rules of the ClusterRole `name` when they differ from its current rules. */
  async reconcile(name: string): Promise<ReconcileResult | void> {
    const role = this.roles.store.get(name);
    if (!role) return;
    const rules = aggregatedRules(role, this.roles.store.list());
    if (!rules || jsonEqual(rules, Array.isArray(role.rules) ? role.rules : [])) return;
    try {
      // Conditional on the version the union was computed against: a concurrent change is judged again.
      await this.options.client.update(clusterRoles, undefined, { ...role, rules }, { fieldManager: aggregationFieldManager });
    } catch (error) {
      if (isStatus(error, 404)) return;
      if (isStatus(error, 409)) return { requeue: true };
      throw error;
    }
  }
}
