/** delete and deletecollection entry points. */
import { StatusError } from "../../api/status-error.js";
import type { DeleteOptions, KubeList, KubeObject } from "../../api/types.js";
import type { ListOptions } from "../../client/client.js";
import { notFound } from "../../api/status-error.js";
import type { RegistryContext, ResourceStore } from "./context.js";
import { admitDelete } from "./admission-plugins.js";
import { deleteStored, isDryRun, type DeleteOutcome } from "./delete.js";
import { deleteNamespace } from "./namespace-delete.js";
import { listObjects } from "./read.js";
import { readCached, readCurrent } from "./storage-ops.js";

/** Deletes one object (namespaces go through their own lifecycle). */
export async function deleteObject(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<DeleteOutcome> {
  await ctx.ready;
  if (store.info.resource === "namespaces" && store.info.group === "") return deleteNamespace(ctx, store, name, options);
  const key = ctx.key(store, namespace, name);
  // Starts from the watch cache's object when it has one (deleteStored confirms against storage what the cache
  // alone cannot vouch for).
  const cached = isDryRun(options) ? undefined : readCached(store, key);
  const current = cached ?? await readCurrent(ctx, key);
  if (current === undefined) throw notFound(store.ref, name);
  admitDelete(store, name);
  return deleteStored(ctx, store, key, name, current, options, cached !== undefined);
}

/** Deletes every object the list options select (same rules as delete); answers with the list of those objects. */
export async function deleteCollection(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, listOptions: ListOptions = {}, options: DeleteOptions = {}): Promise<KubeList> {
  const { limit: _limit, continue: _continue, ...selection } = listOptions;
  const list = await listObjects(ctx, store, namespace, selection);
  for (const item of list.items) {
    try {
      await deleteObject(ctx, store, item.metadata?.namespace, item.metadata?.name ?? "", options);
    } catch (error) {
      if (error instanceof StatusError && error.code === 404) continue;
      throw error;
    }
  }
  return list as KubeList<KubeObject>;
}
