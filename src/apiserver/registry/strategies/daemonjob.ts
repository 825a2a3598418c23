/** DaemonJob strategy: status cleared, generation tracked, and a Job-like generated selector on create. */
import type { KubeObject } from "../../../api/types.js";
import { isPlainObject } from "../../../util/json.js";
import { metaOf, semanticEqual } from "../codec.js";
import type { Strategy } from "../strategy.js";

/** Label (and generated selector) carrying the DaemonJob's uid on its pods. */
export const daemonJobControllerUidLabel = "everynode.dev/controller-uid";
/** Label carrying the DaemonJob's name on its pods. */
export const daemonJobNameLabel = "everynode.dev/daemonjob-name";

function specOf(object: KubeObject): Record<string, unknown> | undefined {
  return isPlainObject(object.spec) ? object.spec : undefined;
}

/**
 * As batch/v1 Jobs without manualSelector: a DaemonJob created without a selector gets
 * `everynode.dev/controller-uid=<uid>`, and its template the labels controller-uid and daemonjob-name.
 */
function generateSelector(object: KubeObject): void {
  const spec = specOf(object);
  if (!spec || (spec.selector !== undefined && spec.selector !== null)) return;
  const meta = metaOf(object);
  const uid = meta.uid ?? "";
  spec.selector = { matchLabels: { [daemonJobControllerUidLabel]: uid } };
  if (!isPlainObject(spec.template)) return;
  if (spec.template.metadata === undefined || spec.template.metadata === null) spec.template.metadata = {};
  const templateMeta = spec.template.metadata;
  if (!isPlainObject(templateMeta)) return;
  const labels = isPlainObject(templateMeta.labels) ? templateMeta.labels : {};
  templateMeta.labels = { ...labels, [daemonJobControllerUidLabel]: uid, [daemonJobNameLabel]: meta.name ?? "" };
}

/** DaemonJobs: status cleared, generation 1 and a generated selector on create; spec changes bump generation. */
export const daemonJobStrategy: Strategy = {
  prepareForCreate(object) {
    object.status = {};
    metaOf(object).generation = 1;
    generateSelector(object);
  },
  prepareForUpdate(object, old) {
    if (!semanticEqual(object.spec, old.spec)) metaOf(object).generation = (old.metadata?.generation ?? 0) + 1;
  },
  returnsDeletedObject: false,
  indexers: {},
};
