/** The object checks of NodeRestriction admission: which node labels a kubelet may set and what a mirror pod may reference. */
import { podObjectNames } from "../../api/pod-references.js";
import type { Pod } from "../../api/types.js";

/** Labels a kubelet may set on its own Node although they are in a kubernetes.io / k8s.io namespace. */
const kubeletLabels = new Set([
  "kubernetes.io/hostname", "kubernetes.io/arch", "kubernetes.io/os", "beta.kubernetes.io/arch", "beta.kubernetes.io/os",
  "topology.kubernetes.io/zone", "topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region", "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type",
]);
/** Label namespaces (and their subdomains) a kubelet may set freely. */
const kubeletLabelNamespaces = ["kubelet.kubernetes.io", "node.kubernetes.io"];
/** Label namespace (and its subdomains) no kubelet may set. */
const restrictedNamespace = "node-restriction.kubernetes.io";

function labelNamespace(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

function inNamespace(ns: string, domain: string): boolean {
  return ns === domain || ns.endsWith(`.${domain}`);
}

function isForbiddenLabel(key: string): boolean {
  const ns = labelNamespace(key);
  if (inNamespace(ns, restrictedNamespace)) return true;
  const kubernetes = inNamespace(ns, "kubernetes.io") || inNamespace(ns, "k8s.io");
  return kubernetes && !kubeletLabels.has(key) && !kubeletLabelNamespaces.some((allowed) => inNamespace(ns, allowed));
}

/**
 * The label keys (sorted) that differ between `next` and `previous` (undefined on create: every label of
 * `next`) and that a node may not add, change or remove on its own Node.
 */
export function forbiddenNodeLabels(next: Record<string, string> | undefined, previous: Record<string, string> | undefined): string[] {
  const a = next ?? {};
  const b = previous ?? {};
  const changed = new Set<string>();
  for (const key of Object.keys(a)) if (!Object.hasOwn(b, key) || a[key] !== b[key]) changed.add(key);
  for (const key of Object.keys(b)) if (!Object.hasOwn(a, key) || a[key] !== b[key]) changed.add(key);
  return [...changed].filter(isForbiddenLabel).sort();
}

/**
 * What a mirror pod created by a node references that it may not (upstream's wording: "a service account",
 * "secrets", "configmaps", "clustertrustbundles", "persistentvolumeclaims"), or undefined when nothing.
 */
export function podReferences(pod: Pod): string | undefined {
  if (pod.spec?.serviceAccountName) return "a service account";
  const names = podObjectNames(pod);
  if (names.secrets.size > 0) return "secrets";
  if (names.configmaps.size > 0) return "configmaps";
  const volumes = pod.spec?.volumes ?? [];
  if (volumes.some((v) => v.projected?.sources?.some((s) => (s as Record<string, unknown>).clusterTrustBundle !== undefined))) return "clustertrustbundles";
  if (volumes.some((v) => v.persistentVolumeClaim)) return "persistentvolumeclaims";
  return undefined;
}
