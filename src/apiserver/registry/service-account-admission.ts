/**
 * The ServiceAccount admission plugin on pod creation, as kube-apiserver's: a pod naming no ServiceAccount runs as
 * `default`; a pod naming one that does not exist is refused (403, nothing stored); mirror pods may name none.
 * Unless the pod or its ServiceAccount says `automountServiceAccountToken: false`, every container and init
 * container without a mount at /var/run/secrets/kubernetes.io/serviceaccount gets one of the projected volume
 * `kube-api-access-<5 random>` (a bound token, the cluster CA from `kube-root-ca.crt`, the namespace); a pod without
 * image pull secrets gets the ServiceAccount's. The `default` ServiceAccount is created by a controller when a
 * namespace appears, so a pod relying on it is given a little time for it to arrive, as upstream retries its lookup.
 */
import { forbidden } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { isPlainObject } from "../../util/json.js";
import type { RegistryContext, ResourceStore } from "./context.js";
import { generateName } from "./generate-name.js";

const mirrorPodAnnotation = "kubernetes.io/config.mirror";
const defaultName = "default";
/** How long a pod waits for its namespace's `default` ServiceAccount (upstream: 10 attempts, 1 s apart). */
const defaultWaitMs = 10_000;
const pollMs = 100;

/** Where containers find the ServiceAccount token, CA and namespace. */
export const serviceAccountMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
const volumePrefix = "kube-api-access-";

async function serviceAccount(ctx: RegistryContext, namespace: string, name: string): Promise<KubeObject | undefined> {
  const store = ctx.store({ group: "", resource: "serviceaccounts" });
  const key = ctx.key(store, namespace, name);
  const cached = store.cache.get(key);
  if (cached) return cached;
  await ctx.fresh(store, key);
  return store.cache.get(key);
}

async function waitForServiceAccount(ctx: RegistryContext, namespace: string, name: string): Promise<KubeObject | undefined> {
  const deadline = Date.now() + (name === defaultName ? defaultWaitMs : 0);
  for (;;) {
    const found = await serviceAccount(ctx, namespace, name);
    if (found) return found;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** The projected volume source upstream's plugin adds (TokenVolumeSource). */
function tokenVolumeSource(): Record<string, unknown> {
  return {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
    ],
  };
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

/** Mounts the token volume into every container and init container that has nothing at the mount path; adds the volume if one needs it. */
function mountServiceAccountToken(spec: Record<string, unknown>): void {
  const volumes = records(spec.volumes);
  const existing = volumes.find((v) => typeof v.name === "string" && v.name.startsWith(volumePrefix));
  const volumeName = typeof existing?.name === "string" ? existing.name : generateName(volumePrefix);
  let needed = false;
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of records(list)) {
      const mounts = records(c.volumeMounts);
      if (mounts.some((m) => m.mountPath === serviceAccountMountPath)) continue;
      c.volumeMounts = [...mounts, { name: volumeName, readOnly: true, mountPath: serviceAccountMountPath }];
      needed = true;
    }
  }
  if (!existing && needed) spec.volumes = [...volumes, { name: volumeName, projected: tokenVolumeSource() }];
}

function automount(pod: Record<string, unknown>, sa: KubeObject): boolean {
  if (typeof pod.automountServiceAccountToken === "boolean") return pod.automountServiceAccountToken;
  if (typeof sa.automountServiceAccountToken === "boolean") return sa.automountServiceAccountToken;
  return true;
}

/**
 * Admits a new pod (mutating `pod`): defaults `spec.serviceAccountName`, checks that the ServiceAccount exists,
 * mounts its token (when `mountTokens`) and copies its image pull secrets, as upstream's plugin does.
 */
export async function admitPodServiceAccount(ctx: RegistryContext, store: ResourceStore, pod: KubeObject, mountTokens = true): Promise<void> {
  if (!isPlainObject(pod.spec)) return;
  const spec = pod.spec;
  const meta = pod.metadata ?? {};
  const podName = meta.name || meta.generateName || "";
  let name = typeof spec.serviceAccountName === "string" ? spec.serviceAccountName : "";
  if (name === "" && typeof spec.serviceAccount === "string") name = spec.serviceAccount;
  if (meta.annotations?.[mirrorPodAnnotation] !== undefined) {
    if (name !== "") throw forbidden(store.ref, podName, "a mirror pod may not reference service accounts");
    return;
  }
  if (name === "") name = defaultName;
  spec.serviceAccountName = name;
  spec.serviceAccount = name;
  const namespace = meta.namespace ?? "";
  const sa = await waitForServiceAccount(ctx, namespace, name);
  if (!sa) throw forbidden(store.ref, podName, `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`);
  if (mountTokens && automount(spec, sa)) mountServiceAccountToken(spec);
  if (records(spec.imagePullSecrets).length === 0) {
    const pull = records(sa.imagePullSecrets).map((s) => ({ name: typeof s.name === "string" ? s.name : "" }));
    if (pull.length > 0) spec.imagePullSecrets = pull;
  }
}
