/** create: decode, admit, prepare and store a new object. */
import { randomUUID } from "node:crypto";
import { applyDefaults, validateCreate } from "../../api/admission.js";
import { alreadyExists, fieldErrors, invalid, statusError, StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { WriteOptions } from "../../client/client.js";
import { deepCopy } from "../../util/json.js";
import { recordUpdate, validateManagedFields } from "../fieldmanager/index.js";
import { metaOf } from "./codec.js";
import type { RegistryContext, ResourceStore } from "./context.js";
import { checkTypeMeta, decodeFields, resolveNamespace } from "./decode.js";
import { generateName } from "./generate-name.js";
import { admitCreate } from "./admission-plugins.js";
import { checkNamespaceForCreate } from "./namespace-lifecycle.js";
import { readCurrent, storeCreate } from "./storage-ops.js";
import { managerOf, writeScope } from "./update.js";

const maxGenerateNameAttempts = 8;

/** Creates `input` (never mutated) in `namespace`; returns the stored object (dry run: what would be stored, no resourceVersion). */
export async function createObject(
  ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, input: KubeObject, options: WriteOptions = {}, ownership: "update" | "apply" = "update",
): Promise<KubeObject> {
  const object = deepCopy(input);
  checkTypeMeta(store, object);
  decodeFields(store, object, options);
  applyDefaults(store.info, object);
  const meta = metaOf(object);
  const ns = resolveNamespace(store, namespace, meta.namespace);
  if (ns === undefined) delete meta.namespace;
  else meta.namespace = ns;
  await ctx.ready;
  if (ns !== undefined) await checkNamespaceForCreate(ctx, store, ns, meta.name ?? "");
  const requestedVersion = meta.resourceVersion;
  for (const f of ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generation"] as const) {
    delete meta[f];
  }
  // Ownership is computed from what the client sent (before admission mutates it), as upstream's field manager does.
  if (ownership === "update") recordUpdate(undefined, object, managerOf(options), writeScope(ctx, store, "main"));
  await admitCreate(ctx, store, object);

  meta.uid = randomUUID();
  meta.creationTimestamp = ctx.timestamp();
  store.strategy.prepareForCreate(object);
  const generated = !meta.name && !!meta.generateName;
  if (generated) meta.name = generateName(meta.generateName ?? "");

  const errs = [...validateManagedFields(meta.managedFields), ...validateCreate(store.info, object)];
  if (errs.length > 0) throw invalid(store.ref, meta.name ?? "", errs);
  if (!meta.name) throw invalid(store.ref, "", [fieldErrors.required("metadata.name", "name or generateName is required")]);
  if (requestedVersion !== undefined && /^[0-9]+$/.test(requestedVersion) && Number(requestedVersion) !== 0) {
    // As the storage layer answers (a non-Status error: 500 with no reason).
    throw statusError(500, "", "resourceVersion should not be set on objects to be created");
  }

  for (let attempt = 1; ; attempt++) {
    const key = ctx.key(store, ns, meta.name);
    try {
      if (options.dryRun) {
        if (await readCurrent(ctx, key)) throw alreadyExists(store.ref, meta.name);
        return object;
      }
      return await storeCreate(ctx, store, key, object, options);
    } catch (error) {
      if (!generated || attempt >= maxGenerateNameAttempts || !(error instanceof StatusError) || error.reason !== "AlreadyExists") throw error;
      meta.name = generateName(meta.generateName ?? "");
    }
  }
}
