/** Namespaces the control plane provides from the start. */
import { findResource } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { Client } from "../../client/client.js";

/** The namespaces every cluster has. */
export const systemNamespaces: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Creates each namespace in `names` that does not exist yet (idempotent). */
export async function ensureNamespaces(client: Client, names: readonly string[] = systemNamespaces): Promise<void> {
  const namespaces = findResource("", "namespaces");
  if (namespaces === undefined) throw new Error("namespaces are not served");
  for (const name of names) {
    try {
      await client.create(namespaces, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
    }
  }
}
