/** Objects the control plane provides from the start: system namespaces and built-in PriorityClasses. */
import { mustFindResource, type ResourceInfo } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { systemPriorityClasses } from "../../api/validation/priority-class.js";
import type { Client } from "../../client/client.js";

/** The namespaces every cluster has. */
export const systemNamespaces: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Creates `object` unless it exists already (idempotent). */
export async function createIfAbsent(client: Client, resource: ResourceInfo, namespace: string | undefined, object: KubeObject): Promise<void> {
  try {
    await client.create(resource, namespace, object);
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
  }
}

/** Creates each namespace in `names` that does not exist yet (idempotent). */
export async function ensureNamespaces(client: Client, names: readonly string[] = systemNamespaces): Promise<void> {
  const namespaces = mustFindResource("", "namespaces");
  for (const name of names) await createIfAbsent(client, namespaces, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

/** Creates the built-in PriorityClasses `system-node-critical` and `system-cluster-critical` when absent. */
export async function ensurePriorityClasses(client: Client): Promise<void> {
  const priorityClasses = mustFindResource("scheduling.k8s.io", "priorityclasses");
  for (const pc of systemPriorityClasses) {
    await createIfAbsent(client, priorityClasses, undefined, {
      apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: pc.name }, value: pc.value, description: pc.description,
    });
  }
}

/** Everything a new cluster starts with (idempotent, run at every start). */
export async function bootstrapCluster(client: Client): Promise<void> {
  await ensureNamespaces(client);
  await ensurePriorityClasses(client);
}
