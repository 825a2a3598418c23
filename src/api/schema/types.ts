/**
 * The runtime model of API schemas: named definitions (one per Go struct) whose properties carry a
 * JSON type. Built from the compact form in generated-definitions.ts.
 */

/** OpenAPI name of a definition, e.g. `io.k8s.api.apps.v1.DaemonSetSpec`. */
export type DefinitionName = string;

/** The JSON type of one field. */
export type SchemaType =
  | { kind: "string" }
  | { kind: "integer"; format: "int32" | "int64" }
  | { kind: "number" }
  | { kind: "boolean" }
  /** A struct with known properties, described by a named definition. */
  | { kind: "object"; ref: DefinitionName }
  /** A JSON object whose keys are free and whose values all have one type (Go map[string]X). */
  | { kind: "map"; values: SchemaType }
  | { kind: "array"; items: SchemaType }
  /** An RFC 3339 timestamp string (metav1.Time, or metav1.MicroTime when micro). */
  | { kind: "time"; micro: boolean }
  /** An integer or a string (intstr.IntOrString). */
  | { kind: "int-or-string" }
  /** A resource quantity: a string such as `100m`, or a number (resource.Quantity). */
  | { kind: "quantity" }
  /** Any JSON value (runtime.RawExtension, metav1.FieldsV1). */
  | { kind: "free-form"; named: "RawExtension" | "FieldsV1" };

/** List and patch metadata of a field, as upstream's struct tags and markers give it. */
export interface ListTraits {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: "atomic" | "set" | "map";
  listMapKeys?: string[];
}

/** One field of a definition. */
export interface Property extends ListTraits {
  type: SchemaType;
  description?: string;
}

/** A group/version/kind triple as OpenAPI's x-kubernetes-group-version-kind carries it. */
export interface GroupVersionKind { group: string; version: string; kind: string }

/** A named struct definition. */
export interface Definition {
  name: DefinitionName;
  /** Go type name, e.g. `DaemonSetSpec` (used in decoding error messages). */
  goName: string;
  description: string;
  properties: ReadonlyMap<string, Property>;
  required: readonly string[];
  /** Present on top-level kinds. */
  gvk?: readonly GroupVersionKind[];
}

/** The compact, generated form of one property: `type` is a Go-like type expression. */
export interface RawProperty extends ListTraits {
  /**
   * `string`, `int32`, `int64`, `float64`, `boolean`, `Time`, `MicroTime`, `IntOrString`, `Quantity`,
   * `RawExtension`, `FieldsV1`, `#<definition name>`, `[]<type>` or `map[string]<type>`.
   */
  type: string;
  description?: string;
}

/** The compact, generated form of one definition. */
export interface RawDefinition {
  go: string;
  description: string;
  required?: string[];
  gvk?: GroupVersionKind[];
  properties: Record<string, RawProperty>;
}

/** Parses a compact type expression (see RawProperty.type); throws on an unknown expression. */
export function parseTypeExpression(expr: string): SchemaType {
  if (expr.startsWith("[]")) return { kind: "array", items: parseTypeExpression(expr.slice(2)) };
  if (expr.startsWith("map[string]")) return { kind: "map", values: parseTypeExpression(expr.slice(11)) };
  if (expr.startsWith("#")) return { kind: "object", ref: expr.slice(1) };
  switch (expr) {
    case "string": return { kind: "string" };
    case "int32": return { kind: "integer", format: "int32" };
    case "int64": return { kind: "integer", format: "int64" };
    case "float64": return { kind: "number" };
    case "boolean": return { kind: "boolean" };
    case "Time": return { kind: "time", micro: false };
    case "MicroTime": return { kind: "time", micro: true };
    case "IntOrString": return { kind: "int-or-string" };
    case "Quantity": return { kind: "quantity" };
    case "RawExtension": return { kind: "free-form", named: "RawExtension" };
    case "FieldsV1": return { kind: "free-form", named: "FieldsV1" };
    default: throw new Error(`unknown schema type expression ${JSON.stringify(expr)}`);
  }
}
