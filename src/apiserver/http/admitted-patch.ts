/**
 * A patch admitted on its result: the patched object is computed with a dry run, `admit` judges it against the
 * version it was computed from, and exactly that object is written conditional on that version, so a concurrent
 * change answers 409 Conflict instead of slipping past the check. A server-side apply that creates the object is
 * admitted as a creation (`current` undefined) and then written as the apply itself.
 */
import type { ResourceInfo } from "../../api/resources.js";
import { conflict, StatusError } from "../../api/status-error.js";
import type { ApiObject, KubeObject } from "../../api/types.js";
import type { Client, PatchOptions, PatchOutcome, PatchType, WriteOptions } from "../../client/client.js";

/** Judges a patch's result; throws (a 403, say) to refuse it. */
export type PatchAdmission = (result: KubeObject, current: KubeObject | undefined) => void | Promise<void>;

async function existing(inner: Client, resource: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    return await inner.get<KubeObject>(resource, namespace, name);
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return undefined;
    throw err;
  }
}

/** Patches through `inner` once `admit` accepted the result (see the file comment); three tries, then 409. */
export async function admittedPatch<T extends ApiObject = KubeObject>(
  inner: Client, resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown,
  options: PatchOptions | undefined, admit: PatchAdmission,
): Promise<PatchOutcome<T>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await existing(inner, resource, namespace, name);
    const result = await inner.patch<KubeObject>(resource, namespace, name, type, patch, { ...options, dryRun: true });
    const version = result.metadata?.resourceVersion;
    if (current === undefined && !version) {
      await admit(result, undefined);
      return inner.patchWithOutcome<T>(resource, namespace, name, type, patch, options);
    }
    if (current === undefined || version !== current.metadata?.resourceVersion) continue;
    await admit(result, current);
    if (options?.dryRun) return { object: result as unknown as T, created: false };
    const write: WriteOptions = {};
    if (options?.fieldManager !== undefined) write.fieldManager = options.fieldManager;
    return { object: await inner.update<T>(resource, namespace, result as unknown as T, write), created: false };
  }
  throw conflict({ group: resource.group, resource: resource.resource, kind: resource.kind }, name);
}
