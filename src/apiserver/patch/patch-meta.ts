/**
 * Strategic-merge metadata (the `patchStrategy` / `patchMergeKey` struct tags upstream) for the served kinds,
 * derived from the API schemas (src/api/schema) — the same data OpenAPI publishes as `x-kubernetes-patch-strategy`
 * and `x-kubernetes-patch-merge-key`, so what kubectl reads and what the server merges cannot differ. Only fields
 * whose metadata differs from plain JSON merge are listed: a field absent here merges as a map if it is an object
 * and is replaced whole if it is a list.
 */
import { definition, schemaFor, type DefinitionName, type SchemaType } from "../../api/schema/index.js";

/** Patch metadata of one field. */
export interface FieldPatchMeta {
  /** `merge`: list merged (by `mergeKey` for lists of objects, as a set for primitives); `replace`: value replaced whole. */
  readonly strategy?: "merge" | "replace";
  /** Field identifying list elements of a merged list of objects. */
  readonly mergeKey?: string;
  /** Schema of the field's object value, or of its elements for a list. */
  readonly type?: StructPatchMeta;
}

/** Patch metadata of the fields of one object type, by JSON field name. */
export interface StructPatchMeta { readonly [field: string]: FieldPatchMeta }

const structs = new Map<DefinitionName, StructPatchMeta>();

/** The patch metadata of one definition's fields (memoized; a definition without any is `{}`). */
function structPatchMeta(name: DefinitionName): StructPatchMeta {
  const known = structs.get(name);
  if (known !== undefined) return known;
  const out: Record<string, FieldPatchMeta> = {};
  structs.set(name, out);
  for (const [field, p] of definition(name)?.properties ?? []) {
    const strategies = p.patchStrategy?.split(",") ?? [];
    const type = nestedMeta(p.type);
    if (p.type.kind === "array") {
      if (strategies.includes("replace")) out[field] = { strategy: "replace" };
      else if (strategies.includes("merge")) out[field] = { strategy: "merge", mergeKey: p.patchMergeKey, type: p.patchMergeKey ? type : undefined };
    } else if (type !== undefined) {
      out[field] = { type };
    }
  }
  return out;
}

/** The patch metadata of the struct a field holds (or its list holds), when it has any. */
function nestedMeta(t: SchemaType): StructPatchMeta | undefined {
  const ref = t.kind === "object" ? t.ref : t.kind === "array" && t.items.kind === "object" ? t.items.ref : undefined;
  if (ref === undefined) return undefined;
  const meta = structPatchMeta(ref);
  return Object.keys(meta).length > 0 ? meta : undefined;
}

const objectMeta = structPatchMeta("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");

/** The patch metadata of a kind; kinds without special fields get ObjectMeta's metadata only. */
export function patchMetaFor(kind: { apiVersion: string; kind: string }): StructPatchMeta {
  const slash = kind.apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : kind.apiVersion.slice(0, slash);
  const version = kind.apiVersion.slice(slash + 1);
  const def = schemaFor(kind.kind, group === "" ? version : `${group}/${version}`);
  return def !== undefined ? structPatchMeta(def.name) : { metadata: { type: objectMeta } };
}
