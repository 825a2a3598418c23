/** The selection a list or watch asks for: namespace, label selector and field selector as one predicate. */
import { parseFieldSelector, exactFieldValue, type FieldSelector } from "../../api/field-selector.js";
import { parseLabelSelector, type Selector } from "../../api/label-selector.js";
import type { KubeObject } from "../../api/types.js";
import { namespaceIndex, type ResourceStore } from "./context.js";
import type { IndexQuery } from "../watch-cache/watch-cache.js";

/** A parsed selection. */
export interface Selection {
  /** Namespace restriction (undefined = all namespaces or cluster-scoped). */
  namespace: string | undefined;
  labels: Selector;
  fields: FieldSelector;
  /** True when the object is selected. */
  matches(object: KubeObject): boolean;
  /** The cache index that narrows the candidates best, if any. */
  index: IndexQuery | undefined;
  /** True when the index already implies the namespace restriction. */
  indexCoversNamespace: boolean;
}

/** Parses the selectors (400 BadRequest when malformed or on unsupported fields). */
export function parseSelection(store: ResourceStore, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Selection {
  const labels = parseLabelSelector(labelSelector ?? "");
  const fields = parseFieldSelector(fieldSelector ?? "", store.info.resource);
  const ns = store.info.namespaced && namespace ? namespace : undefined;
  const labelsEmpty = labels.empty();
  const fieldsEmpty = fields.empty();
  const matches = (object: KubeObject): boolean => {
    if (ns !== undefined && object.metadata?.namespace !== ns) return false;
    if (!labelsEmpty && !labels.matches(object.metadata?.labels)) return false;
    return fieldsEmpty || fields.matches(object);
  };
  let index: IndexQuery | undefined;
  let indexCoversNamespace = false;
  for (const name of Object.keys(store.strategy.indexers)) {
    const value = exactFieldValue(fields, name);
    if (value !== undefined) { index = { name, value }; break; }
  }
  if (index === undefined && ns !== undefined) {
    index = { name: namespaceIndex, value: ns };
    indexCoversNamespace = true;
  }
  return { namespace: ns, labels, fields, matches, index, indexCoversNamespace };
}
