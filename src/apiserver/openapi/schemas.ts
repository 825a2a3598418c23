/**
 * OpenAPI 3 component schemas built from the schema catalog, named and shaped like upstream's
 * (`io.k8s.api.apps.v1.DaemonSet`, `$ref` wrapped in `allOf` when it has siblings, list extensions).
 */
import { closureOf } from "../../api/schema/catalog.js";
import type { Definition, Property, SchemaType } from "../../api/schema/types.js";
import type { JsonObject, JsonValue } from "../../api/types.js";

const metaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** Named schemas that are not structs: scalars with a format, unions, and free-form objects. */
const leafSchemas: Record<string, JsonObject> = {
  [`${metaPrefix}.Time`]: {
    description: "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.",
    type: "string", format: "date-time",
  },
  [`${metaPrefix}.MicroTime`]: {
    description: "MicroTime is version of Time with microsecond level precision.",
    type: "string", format: "date-time",
  },
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
    description: "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.",
    format: "int-or-string", oneOf: [{ type: "integer" }, { type: "string" }],
  },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": {
    description: "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the \"\" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= \"+\" | \"-\" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | \"\" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the capitalization.)\n\n<decimalExponent> ::= \"e\" <signedNumber> | \"E\" <signedNumber> ```",
    oneOf: [{ type: "string" }, { type: "number" }],
  },
  "io.k8s.apimachinery.pkg.runtime.RawExtension": {
    description: "RawExtension is used to hold extensions in external versions.",
    type: "object",
  },
  [`${metaPrefix}.FieldsV1`]: {
    description: "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff",
    type: "object",
  },
};

/** The OpenAPI name a leaf type refers to, if it refers to one. */
function namedRef(t: SchemaType): string | undefined {
  switch (t.kind) {
    case "object": return t.ref;
    case "time": return `${metaPrefix}.${t.micro ? "MicroTime" : "Time"}`;
    case "int-or-string": return "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    case "quantity": return "io.k8s.apimachinery.pkg.api.resource.Quantity";
    case "free-form": return t.named === "RawExtension" ? "io.k8s.apimachinery.pkg.runtime.RawExtension" : `${metaPrefix}.FieldsV1`;
    default: return undefined;
  }
}

/** `#/components/schemas/<name>`. */
export function schemaRef(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

/** A schema for a type, with extra sibling keys; a reference gets wrapped in allOf when it has siblings. */
function typeSchema(t: SchemaType, extra: JsonObject): JsonObject {
  const ref = namedRef(t);
  if (ref) return Object.keys(extra).length === 0 ? schemaRef(ref) : { allOf: [schemaRef(ref)], ...extra };
  switch (t.kind) {
    case "string": return { ...extra, type: "string" };
    case "integer": return { ...extra, type: "integer", format: t.format };
    case "number": return { ...extra, type: "number", format: "double" };
    case "boolean": return { ...extra, type: "boolean" };
    case "array": return { ...extra, type: "array", items: typeSchema(t.items, {}) };
    case "map": return { ...extra, type: "object", additionalProperties: typeSchema(t.values, {}) };
    default: return { ...extra, type: "object" };
  }
}

function propertySchema(p: Property): JsonObject {
  const extra: JsonObject = {};
  if (p.description) extra.description = p.description;
  if (p.listType) extra["x-kubernetes-list-type"] = p.listType;
  if (p.listMapKeys) extra["x-kubernetes-list-map-keys"] = [...p.listMapKeys];
  if (p.patchMergeKey) extra["x-kubernetes-patch-merge-key"] = p.patchMergeKey;
  if (p.patchStrategy) extra["x-kubernetes-patch-strategy"] = p.patchStrategy;
  return typeSchema(p.type, extra);
}

/** The OpenAPI schema of one struct definition. */
export function definitionSchema(def: Definition): JsonObject {
  const properties: JsonObject = {};
  for (const [name, p] of def.properties) properties[name] = propertySchema(p);
  const schema: JsonObject = { description: def.description, type: "object", properties };
  if (def.required.length > 0) schema.required = [...def.required];
  if (def.gvk) schema["x-kubernetes-group-version-kind"] = def.gvk.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  return schema;
}

/** components.schemas for the named definitions and everything they reference, leaf schemas included. */
export function componentSchemas(roots: Iterable<string>): JsonObject {
  const out: Record<string, JsonValue> = {};
  const leaves = new Set<string>();
  for (const def of closureOf(roots)) {
    out[def.name] = definitionSchema(def);
    for (const p of def.properties.values()) collectLeaves(p.type, leaves);
  }
  for (const name of leaves) {
    const leaf = leafSchemas[name];
    if (leaf) out[name] = leaf;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function collectLeaves(t: SchemaType, into: Set<string>): void {
  if (t.kind === "array") collectLeaves(t.items, into);
  else if (t.kind === "map") collectLeaves(t.values, into);
  else if (t.kind !== "object") {
    const ref = namedRef(t);
    if (ref) into.add(ref);
  }
}
