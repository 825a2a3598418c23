/**
 * The schema catalog: every definition the API server knows (served kinds, their lists, Binding, Eviction,
 * DeleteOptions, Status and everything they reference), parsed once from the generated compact form.
 */
import { daemonJobDefinitions } from "./daemonjob-definitions.js";
import { extensionProperties } from "./extensions.js";
import { rawDefinitions } from "./generated-definitions.js";
import { parseTypeExpression } from "./types.js";
import type { Definition, DefinitionName, Property, RawDefinition, SchemaType } from "./types.js";

function parseDefinition(name: string, raw: RawDefinition): Definition {
  const properties = new Map<string, Property>();
  for (const [field, p] of Object.entries({ ...raw.properties, ...(extensionProperties[name] ?? {}) })) {
    const { type, ...rest } = p;
    properties.set(field, Object.freeze({ ...rest, type: parseTypeExpression(type) }));
  }
  const def: Definition = { name, goName: raw.go, description: raw.description, properties, required: raw.required ?? [] };
  if (raw.gvk) def.gvk = raw.gvk;
  return Object.freeze(def);
}

const catalog: ReadonlyMap<DefinitionName, Definition> = new Map(
  Object.entries({ ...rawDefinitions, ...daemonJobDefinitions }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, raw]) => [name, parseDefinition(name, raw)]),
);

/** The definition with this OpenAPI name, e.g. `io.k8s.api.apps.v1.DaemonSetSpec`; undefined when unknown. */
export function definition(name: DefinitionName): Definition | undefined {
  return catalog.get(name);
}

/** Every known definition, sorted by name. */
export function allDefinitions(): Definition[] {
  return [...catalog.values()];
}

/**
 * The top-level definition of a kind (`DaemonSet`, `PodList`, `Binding`, `Eviction`, `DeleteOptions`,
 * `Status`, ...), optionally restricted to an apiVersion (`apps/v1`, `v1`); undefined when unknown.
 */
export function schemaFor(kind: string, apiVersion?: string): Definition | undefined {
  for (const def of catalog.values()) {
    if (def.gvk?.some((g) => g.kind === kind && (apiVersion === undefined || (g.group ? `${g.group}/${g.version}` : g.version) === apiVersion))) return def;
  }
  return undefined;
}

/** Every definition reachable from the named ones (themselves included), sorted by name. */
export function closureOf(names: Iterable<DefinitionName>): Definition[] {
  const found = new Map<DefinitionName, Definition>();
  const pending = [...names];
  while (pending.length > 0) {
    const name = pending.pop() as DefinitionName;
    const def = catalog.get(name);
    if (!def || found.has(name)) continue;
    found.set(name, def);
    for (const p of def.properties.values()) {
      const ref = innermostRef(p.type);
      if (ref && !found.has(ref)) pending.push(ref);
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function innermostRef(t: SchemaType): DefinitionName | undefined {
  if (t.kind === "object") return t.ref;
  if (t.kind === "array") return innermostRef(t.items);
  if (t.kind === "map") return innermostRef(t.values);
  return undefined;
}

/** Go spelling of a field type as json decoding errors print it, e.g. `int32`, `[]v1.Container`, `map[string]string`. */
export function goTypeName(t: SchemaType): string {
  switch (t.kind) {
    case "string": return "string";
    case "integer": return t.format;
    case "number": return "float64";
    case "boolean": return "bool";
    case "object": {
      const def = catalog.get(t.ref);
      const pkg = t.ref.split(".").slice(-2, -1)[0] ?? "";
      return `${pkg}.${def?.goName ?? t.ref.split(".").pop() ?? ""}`;
    }
    case "map": return `map[string]${goTypeName(t.values)}`;
    case "array": return `[]${goTypeName(t.items)}`;
    case "time": return t.micro ? "v1.MicroTime" : "v1.Time";
    case "int-or-string": return "intstr.IntOrString";
    case "quantity": return "resource.Quantity";
    case "free-form": return t.named === "RawExtension" ? "runtime.RawExtension" : "v1.FieldsV1";
  }
}
