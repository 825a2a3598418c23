/**
 * The ServiceAccount admission plugin on pod creation, as kube-apiserver's: a pod naming no ServiceAccount runs as
 * `default`; a pod naming one that does not exist is refused (403, nothing stored); mirror pods may name none.
 * The `default` ServiceAccount is created by a controller when a namespace appears, so a pod relying on it is
 * given a little time for it to arrive, as upstream retries its lookup.
 */
import { forbidden } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { isPlainObject } from "../../util/json.js";
import type { RegistryContext, ResourceStore } from "./context.js";

const mirrorPodAnnotation = "kubernetes.io/config.mirror";
const defaultName = "default";
/** How long a pod waits for its namespace's `default` ServiceAccount (upstream: 10 attempts, 1 s apart). */
const defaultWaitMs = 10_000;
const pollMs = 100;

async function serviceAccountExists(ctx: RegistryContext, namespace: string, name: string): Promise<boolean> {
  const store = ctx.store({ group: "", resource: "serviceaccounts" });
  const key = ctx.key(store, namespace, name);
  if (store.cache.get(key)) return true;
  await ctx.fresh(store, key);
  return store.cache.get(key) !== undefined;
}

async function waitForServiceAccount(ctx: RegistryContext, namespace: string, name: string): Promise<boolean> {
  const deadline = Date.now() + (name === defaultName ? defaultWaitMs : 0);
  for (;;) {
    if (await serviceAccountExists(ctx, namespace, name)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Admits a new pod (mutating `pod`): defaults `spec.serviceAccountName` and checks that the ServiceAccount exists. */
export async function admitPodServiceAccount(ctx: RegistryContext, store: ResourceStore, pod: KubeObject): Promise<void> {
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
  if (!await waitForServiceAccount(ctx, namespace, name)) {
    throw forbidden(store.ref, podName, `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`);
  }
}
