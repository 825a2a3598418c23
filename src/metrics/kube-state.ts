import { mustFindResource } from "../api/resources.js";
import type { ApiObject, DaemonSet, Node, Pod } from "../api/types.js";
import { objectKey } from "../client/cache.js";
import type { Informer } from "../client/informer.js";
import type { SharedInformerFactory } from "../client/informer-factory.js";
import { familyHeader } from "./exposition.js";
import { daemonSetFamilies, nodeFamilies, podFamilies, type Family, type LabelAllowlist } from "./kube-state-families.js";

/**
 * The rendered series of one kind of object, kept as kube-state-metrics keeps them: each object's sample lines
 * per family, rendered at the first scrape after the object changed (informer events only mark it) and reused
 * until it changes again, so a scrape concatenates strings instead of walking every object.
 */
class ObjectMetricsStore<T extends ApiObject> {
  private readonly rendered = new Map<string, string[]>();
  private readonly pending = new Map<string, T | undefined>();

  constructor(private readonly families: readonly Family<T>[], informer: Informer<T>) {
    informer.addEventHandler({
      onAdd: (obj) => this.pending.set(objectKey(obj), obj),
      onUpdate: (_old, obj) => this.pending.set(objectKey(obj), obj),
      onDelete: (obj) => this.pending.set(objectKey(obj), undefined),
    });
  }

  /** Appends every family (header, then each object's samples) to `out`. */
  writeTo(out: string[]): void {
    for (const [key, obj] of this.pending) {
      if (obj === undefined) this.rendered.delete(key);
      else this.rendered.set(key, this.families.map((f) => f.samples(obj).join("\n")));
    }
    this.pending.clear();
    this.families.forEach((family, i) => {
      out.push(familyHeader(family.name, family.help, family.type));
      for (const lines of this.rendered.values()) {
        const text = lines[i];
        if (text) out.push(text);
      }
    });
  }
}

/** Options of KubeStateMetrics. */
export interface KubeStateMetricsOptions {
  /** Shared informers to read DaemonSets, Nodes and Pods from (the caller starts the factory). */
  informers: SharedInformerFactory;
  /** DaemonSet labels `kube_daemonset_labels` exposes (default none, as upstream). */
  daemonSetLabels?: LabelAllowlist;
}

/** kube-state-metrics' DaemonSet, Node and Pod series, computed from informer caches (never by listing). */
export class KubeStateMetrics {
  private readonly stores: { writeTo(out: string[]): void }[];

  /** Registers handlers on the factory's DaemonSet, Node and Pod informers. */
  constructor(options: KubeStateMetricsOptions) {
    const { informers } = options;
    this.stores = [
      new ObjectMetricsStore<DaemonSet>(daemonSetFamilies(options.daemonSetLabels), informers.informerFor<DaemonSet>(mustFindResource("apps", "daemonsets"))),
      new ObjectMetricsStore<Node>(nodeFamilies(), informers.informerFor<Node>(mustFindResource("", "nodes"))),
      new ObjectMetricsStore<Pod>(podFamilies(), informers.informerFor<Pod>(mustFindResource("", "pods"))),
    ];
  }

  /** The exposition text of every family, ending with a newline. */
  render(): string {
    const out: string[] = [];
    for (const store of this.stores) store.writeTo(out);
    return `${out.join("\n")}\n`;
  }
}
