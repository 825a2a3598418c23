/** DaemonSet strategy: generation and template generation as apps/v1 tracks them. */
import type { KubeObject } from "../../../api/types.js";
import { isPlainObject } from "../../../util/json.js";
import { metaOf, semanticEqual } from "../codec.js";
import type { Strategy } from "../strategy.js";

/** Annotation carrying the template generation in apps/v1. */
export const templateGenerationAnnotation = "deprecated.daemonset.template.generation";

/** The template generation recorded on a DaemonSet; undefined when absent or not a positive integer. */
export function templateGeneration(object: KubeObject): number | undefined {
  const raw = object.metadata?.annotations?.[templateGenerationAnnotation];
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function setTemplateGeneration(object: KubeObject, value: number): void {
  const meta = metaOf(object);
  meta.annotations = { ...(meta.annotations ?? {}), [templateGenerationAnnotation]: String(value) };
}

/** Everything outside metadata and status (and type meta): what counts as the DaemonSet's desired state. */
function desiredState(object: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

function template(object: KubeObject): unknown {
  return isPlainObject(object.spec) ? object.spec.template : undefined;
}

/** The status a new DaemonSet starts with (the always-serialised counters at zero). */
export function emptyDaemonSetStatus(): Record<string, number> {
  return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
}

/** DaemonSets: status cleared and generation 1 on create; template change bumps generation and template generation. */
export const daemonSetStrategy: Strategy = {
  prepareForCreate(object) {
    object.status = emptyDaemonSetStatus();
    const meta = metaOf(object);
    meta.generation = 1;
    setTemplateGeneration(object, templateGeneration(object) ?? 1);
  },
  prepareForUpdate(object, old) {
    const meta = metaOf(object);
    const oldGeneration = old.metadata?.generation ?? 0;
    let tg = templateGeneration(old) ?? 1;
    if (!semanticEqual(template(object), template(old))) {
      tg += 1;
      meta.generation = oldGeneration + 1;
    } else if (!semanticEqual(desiredState(object), desiredState(old))) {
      meta.generation = oldGeneration + 1;
    }
    setTemplateGeneration(object, tg);
  },
  returnsDeletedObject: false,
  indexers: {},
};
