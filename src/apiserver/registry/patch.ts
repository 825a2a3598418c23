/** patch: apply a JSON, merge, strategic-merge or apply patch to the stored object, then update as a PUT would. */
import { badRequest, statusError, StatusError } from "../../api/status-error.js";
import type { JsonValue, KubeObject } from "../../api/types.js";
import type { PatchOptions, PatchOutcome, PatchType } from "../../client/client.js";
import { applyPatch, applyServerSideApply } from "../patch/index.js";
import { isPlainObject } from "../../util/json.js";
import { metaOf } from "./codec.js";
import type { RegistryContext, ResourceStore } from "./context.js";
import { createObject } from "./create.js";
import { guaranteedUpdate, writeScope } from "./update.js";

export type { PatchOutcome } from "../../client/client.js";

/** Patches the main resource or its status; server-side apply creates a missing object. */
export async function patchObject(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options: PatchOptions = {}): Promise<PatchOutcome> {
  const subresource = options.subresource ?? "";
  if (subresource !== "" && (subresource !== "status" || !store.hasStatus)) {
    throw statusError(404, "NotFound", "the server could not find the requested resource");
  }
  const mode = subresource === "status" ? "status" : "main";
  const ns = ctx.namespaceFor(store, namespace);
  const kind = { apiVersion: store.apiVersion, kind: store.info.kind };
  const asObject = (value: JsonValue): KubeObject => {
    if (!isPlainObject(value)) throw badRequest("the patch did not produce an object");
    return value as KubeObject;
  };
  const ownership = type === "apply" ? { manager: options.fieldManager ?? "", force: options.force === true, scope: writeScope(ctx, store, mode) } : undefined;
  const source = leavesManagedFields(type, patch) ? withoutManagedFields : (current: KubeObject): KubeObject => current;
  const build = (current: KubeObject): KubeObject => asObject(applyPatch(type, source(current) as JsonValue, patch, kind, ownership));

  for (let attempt = 0; ; attempt++) {
    let created = false;
    const onMissing = type === "apply" && mode === "main"
      ? async (): Promise<KubeObject> => {
        const object = asObject(applyServerSideApply(undefined, patch, kind, ownership ?? { manager: "", force: false, scope: writeScope(ctx, store, mode) }));
        const meta = metaOf(object);
        if (meta.name && meta.name !== name) {
          throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
        }
        meta.name = name;
        const result = await createObject(ctx, store, ns, object, options, "apply");
        created = true;
        return result;
      }
      : undefined;
    try {
      const object = await guaranteedUpdate(ctx, store, { mode, namespace: ns, name, options, build, onMissing, ownership: type === "apply" ? "apply" : "update" });
      return { object, created };
    } catch (error) {
      // A concurrent create won the race: apply again, now as an update.
      if (onMissing && attempt === 0 && error instanceof StatusError && error.reason === "AlreadyExists") continue;
      throw error;
    }
  }
}

/**
 * Whether a merge or strategic merge patch leaves metadata.managedFields as stored (it names them nowhere in its
 * metadata). Such a patch is applied to the object without them: an Update that omits managedFields keeps the
 * stored ones (see recordUpdate), exactly as one that sends them back unchanged, and they need not be copied.
 */
function leavesManagedFields(type: PatchType, patch: unknown): boolean {
  if ((type !== "merge" && type !== "strategic") || !isPlainObject(patch)) return false;
  if (!Object.hasOwn(patch, "metadata")) return true;
  const meta = patch.metadata;
  return isPlainObject(meta) && !Object.keys(meta).some((key) => key.includes("managedFields"));
}

/** A shallow view of `object` without metadata.managedFields (the object itself when it has none). */
function withoutManagedFields(object: KubeObject): KubeObject {
  const meta = object.metadata;
  if (meta === undefined || !Object.hasOwn(meta, "managedFields")) return object;
  const { managedFields: _stored, ...rest } = meta;
  return { ...object, metadata: rest };
}
