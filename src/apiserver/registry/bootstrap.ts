/** Objects the control plane provides from the start: system namespaces, PriorityClasses, RBAC defaults, `kubernetes` Service. */
import { mustFindResource, type ResourceInfo } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { systemPriorityClasses } from "../../api/validation/priority-class.js";
import type { Client } from "../../client/client.js";
import { ensureDefaultRbac } from "./bootstrap-rbac.js";
import { kubernetesServiceIP } from "./service-allocation.js";

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
  await ensureDefaultRbac(client);
}

/**
 * The `default/kubernetes` Service (ClusterIP 10.96.0.1, port https 443) with its Endpoints and EndpointSlice
 * pointing at the API server's address and port (kept current at every start).
 */
export async function ensureKubernetesService(client: Client, apiServer: { ip: string; port: number }): Promise<void> {
  const labels = { component: "apiserver", provider: "kubernetes" };
  await createIfAbsent(client, mustFindResource("", "services"), "default", {
    apiVersion: "v1", kind: "Service", metadata: { name: "kubernetes", namespace: "default", labels },
    spec: { type: "ClusterIP", clusterIP: kubernetesServiceIP, ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: apiServer.port }] },
  });
  const endpoints = mustFindResource("", "endpoints");
  const subsets = [{ addresses: [{ ip: apiServer.ip }], ports: [{ name: "https", port: apiServer.port, protocol: "TCP" }] }];
  await createIfAbsent(client, endpoints, "default", { apiVersion: "v1", kind: "Endpoints", metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } }, subsets });
  await client.patch(endpoints, "default", "kubernetes", "merge", { subsets });
  const slices = mustFindResource("discovery.k8s.io", "endpointslices");
  const slice = { addressType: "IPv4", endpoints: [{ addresses: [apiServer.ip], conditions: { ready: true } }], ports: [{ name: "https", port: apiServer.port, protocol: "TCP" }] };
  await createIfAbsent(client, slices, "default", { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes" } }, ...slice });
  await client.patch(slices, "default", "kubernetes", "merge", slice);
}
