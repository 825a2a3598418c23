import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { groupVersion, resources } from "../../api/resources.js";
import { openApiDocument } from "../openapi/index.js";
import { patchMetaFor, type StructPatchMeta } from "./patch-meta.js";

type Schema = { $ref?: string; allOf?: Schema[]; items?: Schema; properties?: Record<string, Schema>; type?: string } & Record<string, unknown>;

/** The strategic-merge behaviour kubectl reads from an OpenAPI schema, in the shape of patch-meta, to a bounded depth. */
function fromOpenApi(schemas: Record<string, Schema>, name: string, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth === 0) return out;
  for (const [field, prop] of Object.entries(schemas[name]?.properties ?? {})) {
    const strategies = String(prop["x-kubernetes-patch-strategy"] ?? "").split(",");
    const refOf = (s: Schema | undefined): string | undefined => (s?.$ref ?? s?.allOf?.[0]?.$ref)?.replace("#/components/schemas/", "");
    if (prop.type === "array") {
      const key = prop["x-kubernetes-patch-merge-key"] as string | undefined;
      const item = refOf(prop.items);
      if (strategies.includes("replace")) out[field] = { strategy: "replace" };
      else if (strategies.includes("merge")) {
        const nested = item !== undefined && key !== undefined ? fromOpenApi(schemas, item, depth - 1) : {};
        out[field] = { strategy: "merge", mergeKey: key, type: Object.keys(nested).length > 0 ? nested : undefined };
      }
    } else {
      const ref = refOf(prop);
      const nested = ref !== undefined ? fromOpenApi(schemas, ref, depth - 1) : {};
      if (Object.keys(nested).length > 0) out[field] = { type: nested };
    }
  }
  return out;
}

/** patch-meta cut to the same depth, with absent optional keys dropped for comparison. */
function cut(meta: StructPatchMeta | undefined, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (meta === undefined || depth === 0) return out;
  for (const [field, m] of Object.entries(meta)) {
    const nested = cut(m.type, depth - 1);
    const entry: Record<string, unknown> = {};
    if (m.strategy !== undefined) entry.strategy = m.strategy;
    if (m.mergeKey !== undefined) entry.mergeKey = m.mergeKey;
    entry.type = Object.keys(nested).length > 0 ? nested : undefined;
    if (m.strategy !== undefined || entry.type !== undefined) out[field] = entry;
  }
  return out;
}

describe("strategic-merge metadata", () => {
  for (const r of resources) {
    test(`${r.kind}: what the server merges is what /openapi/v3 tells kubectl`, () => {
      const gv = groupVersion(r);
      const doc = openApiDocument(gv) as { components: { schemas: Record<string, Schema> } };
      const schemas = doc.components.schemas;
      const name = Object.keys(schemas).find((n) => {
        const gvks = schemas[n]?.["x-kubernetes-group-version-kind"] as { group: string; version: string; kind: string }[] | undefined;
        return gvks?.some((g) => g.kind === r.kind && (g.group ? `${g.group}/${g.version}` : g.version) === gv);
      });
      assert.ok(name, `no schema for ${r.kind}`);
      const depth = 8;
      const expected = JSON.parse(JSON.stringify(fromOpenApi(schemas, name, depth))) as unknown;
      const actual = JSON.parse(JSON.stringify(cut(patchMetaFor({ apiVersion: gv, kind: r.kind }), depth))) as unknown;
      assert.deepEqual(actual, expected);
    });
  }

  test("the served kinds carry upstream's keys (containers by name, ports by containerPort, conditions by type)", () => {
    const ds = patchMetaFor({ apiVersion: "apps/v1", kind: "DaemonSet" });
    const podSpec = ds.spec?.type?.template?.type?.spec?.type;
    assert.equal(podSpec?.containers?.mergeKey, "name");
    assert.equal(podSpec?.containers?.type?.ports?.mergeKey, "containerPort");
    assert.equal(podSpec?.tolerations, undefined);
    assert.equal(ds.status?.type?.conditions?.mergeKey, "type");
    assert.equal(ds.metadata?.type?.ownerReferences?.mergeKey, "uid");
    assert.equal(patchMetaFor({ apiVersion: "v1", kind: "Node" }).status?.type?.addresses?.mergeKey, "type");
  });
});
