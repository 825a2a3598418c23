/**
 * The structured-merge-diff view of the API schemas (src/api/schema): which values are scalars, which maps and
 * structs merge field by field or are atomic, and which lists are atomic, sets or maps keyed by
 * `x-kubernetes-list-map-keys` (lists with a merge patch strategy and no list type are associative, as upstream's
 * schema conversion makes them). Free-form values are "deduced": objects granular, lists atomic.
 */
import { definition, schemaFor, type Definition, type ListTraits, type SchemaType } from "../../api/schema/index.js";

/** How one value merges and is tracked. */
export type Shape =
  | { readonly kind: "scalar" }
  | { readonly kind: "deduced" }
  | { readonly kind: "struct"; readonly def: Definition; readonly atomic: boolean }
  | { readonly kind: "map"; readonly values: Shape; readonly atomic: boolean }
  | { readonly kind: "list"; readonly items: Shape; readonly rel: "atomic" | "set" | "map"; readonly keys: readonly string[] };

/** Structs upstream marks `+structType=atomic` (owned and replaced whole). */
const atomicStructs: ReadonlySet<string> = new Set([
  "LabelSelector", "OwnerReference", "ObjectReference", "LocalObjectReference", "TypedLocalObjectReference", "SecretReference",
  "ConfigMapKeySelector", "SecretKeySelector", "ObjectFieldSelector", "ResourceFieldSelector", "NodeSelector", "NodeSelectorTerm",
  "TopologySelectorTerm", "FileKeySelector",
]);

/** Map fields (`GoType.field`) upstream marks `+mapType=atomic`. */
const atomicMapFields: ReadonlySet<string> = new Set(["PodSpec.nodeSelector", "ServiceSpec.selector", "ReplicationControllerSpec.selector"]);

/** Defaults of list-map key fields that may be omitted (upstream's schema carries them). */
const keyDefaults: Readonly<Record<string, string>> = { protocol: "TCP" };

const scalar: Shape = { kind: "scalar" };
const deduced: Shape = { kind: "deduced" };
const structShapes = new Map<string, Shape>();

/** The shape of a value of schema type `t`, held by field `owner` (`GoType.field`) with list traits `traits`. */
export function shapeOf(t: SchemaType, traits?: ListTraits, owner?: string): Shape {
  switch (t.kind) {
    case "object": return structShape(t.ref);
    case "free-form": return deduced;
    case "map": {
      const values = shapeOf(t.values);
      return { kind: "map", values, atomic: owner !== undefined && atomicMapFields.has(owner) };
    }
    case "array": {
      const items = shapeOf(t.items);
      return { kind: "list", items, ...listRelation(traits) };
    }
    default: return scalar;
  }
}

function listRelation(traits: ListTraits | undefined): { rel: "atomic" | "set" | "map"; keys: readonly string[] } {
  if (traits?.listType === "atomic") return { rel: "atomic", keys: [] };
  if (traits?.listType === "set") return { rel: "set", keys: [] };
  if (traits?.listType === "map") return { rel: "map", keys: traits.listMapKeys ?? [] };
  const strategies = traits?.patchStrategy?.split(",") ?? [];
  if (strategies.includes("merge")) return traits?.patchMergeKey ? { rel: "map", keys: [traits.patchMergeKey] } : { rel: "set", keys: [] };
  return { rel: "atomic", keys: [] };
}

function structShape(ref: string): Shape {
  const known = structShapes.get(ref);
  if (known !== undefined) return known;
  const def = definition(ref);
  const shape: Shape = def === undefined ? deduced : { kind: "struct", def, atomic: atomicStructs.has(def.goName) };
  structShapes.set(ref, shape);
  return shape;
}

const fieldShapes = new WeakMap<Definition, Map<string, Shape>>();

/** The shape of a struct's field, or undefined when the struct does not declare it. */
export function fieldShape(def: Definition, field: string): Shape | undefined {
  let fields = fieldShapes.get(def);
  if (fields === undefined) {
    fields = new Map();
    fieldShapes.set(def, fields);
  }
  const known = fields.get(field);
  if (known !== undefined) return known;
  const property = def.properties.get(field);
  if (property === undefined) return undefined;
  const shape = shapeOf(property.type, property, `${def.goName}.${field}`);
  fields.set(field, shape);
  return shape;
}

/** The shape of a granular value's child `key` (deduced for undeclared struct fields and free-form values). */
export function childShape(shape: Shape, key: string): Shape {
  if (shape.kind === "struct") return fieldShape(shape.def, key) ?? deduced;
  if (shape.kind === "map") return shape.values;
  return deduced;
}

const roots = new Map<string, Shape>();

/** The shape of a whole object of a kind (deduced when no schema describes the kind). */
export function rootShape(kind: { apiVersion: string; kind: string }): Shape {
  const id = `${kind.apiVersion}/${kind.kind}`;
  const known = roots.get(id);
  if (known !== undefined) return known;
  const def = schemaFor(kind.kind, kind.apiVersion);
  const shape = def === undefined ? deduced : structShape(def.name);
  roots.set(id, shape);
  return shape;
}

/** The default of an omitted list-map key field, if upstream's schema gives one. */
export function keyDefault(field: string): string | undefined {
  return Object.hasOwn(keyDefaults, field) ? keyDefaults[field] : undefined;
}

/**
 * Struct fields (`GoType.field`) that are non-pointer structs in Go, or slices without `omitempty`: an empty
 * object of the kind already holds them (as `{}` or `null`), so creating an object does not add them as nodes.
 */
const zeroPresent: Readonly<Record<string, Readonly<Record<string, "struct" | "null">>>> = {
  DaemonSetSpec: { template: "struct", updateStrategy: "struct" },
  DaemonJobSpec: { template: "struct" },
  PodTemplateSpec: { metadata: "struct", spec: "struct" },
  PodSpec: { containers: "null" },
  ServiceStatus: { loadBalancer: "struct" },
  NodeStatus: { daemonEndpoints: "struct", nodeInfo: "struct" },
  NodeDaemonEndpoints: { kubeletEndpoint: "struct" },
  RoleBinding: { roleRef: "struct" },
  ClusterRoleBinding: { roleRef: "struct" },
  Event: { involvedObject: "struct", source: "struct" },
};

/** What an empty (Go zero-value) object of the shape looks like as JSON: the skeleton creation is compared with. */
export function zeroObject(shape: Shape): Record<string, unknown> {
  if (shape.kind !== "struct") return {};
  const out: Record<string, unknown> = {};
  const fields = { ...(zeroPresent[shape.def.goName] ?? {}) };
  if (shape.def.gvk !== undefined) {
    for (const top of ["metadata", "spec", "status"]) {
      if (shape.def.properties.get(top)?.type.kind === "object") fields[top] = "struct";
    }
  }
  for (const [field, how] of Object.entries(fields)) {
    const child = fieldShape(shape.def, field);
    if (child === undefined) continue;
    out[field] = how === "null" ? null : zeroObject(child);
  }
  return out;
}
