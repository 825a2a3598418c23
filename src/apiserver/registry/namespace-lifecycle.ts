/** Creation in a namespace requires it to exist and not to be terminating. */
import { notFound, statusError } from "../../api/status-error.js";
import { isPlainObject } from "../../util/json.js";
import type { RegistryContext, ResourceStore } from "./context.js";

const namespacesRef = { group: "", resource: "namespaces", kind: "Namespace" };

/** 404 `namespaces "x" not found` when missing; 403 when it is being terminated. */
export async function checkNamespaceForCreate(ctx: RegistryContext, store: ResourceStore, namespace: string, name: string): Promise<void> {
  const namespaces = ctx.store({ group: "", resource: "namespaces" });
  const key = ctx.key(namespaces, undefined, namespace);
  await ctx.fresh(namespaces, key);
  const ns = namespaces.cache.get(key);
  if (ns === undefined) throw notFound(namespacesRef, namespace);
  const phase = isPlainObject(ns.status) ? ns.status.phase : undefined;
  if (phase === "Terminating" || ns.metadata?.deletionTimestamp) {
    const qualified = store.info.group ? `${store.info.resource}.${store.info.group}` : store.info.resource;
    const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
    throw statusError(403, "Forbidden", `${qualified} "${name}" is forbidden: ${why}`, {
      name, group: store.info.group, kind: store.info.resource,
      causes: [{ reason: "NamespaceTerminating", message: `namespace ${namespace} is being terminated`, field: "metadata.namespace" }],
    });
  }
}
