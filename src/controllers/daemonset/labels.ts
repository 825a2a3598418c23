/** Label and annotation keys the DaemonSet controller reads and writes, and the template generation. */
import type { DaemonSet } from "../../api/types.js";

/** Label carrying the hash of the ControllerRevision a pod (or revision) was built from. */
export const controllerRevisionHashLabel = "controller-revision-hash";

/** Label carrying the DaemonSet template generation a pod was built from. */
export const podTemplateGenerationLabel = "pod-template-generation";

/** Annotation on a DaemonSet holding its template generation (bumped by the API on template changes). */
export const templateGenerationAnnotation = "deprecated.daemonset.template.generation";

/** The DaemonSet's template generation from its annotation; undefined when absent or not a non-negative integer. */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const raw = ds.metadata?.annotations?.[templateGenerationAnnotation];
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}
