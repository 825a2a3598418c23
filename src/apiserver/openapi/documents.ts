/**
 * The OpenAPI v3 discovery served under /openapi/v3: an index of the served group-versions and one
 * document per group-version, enough for kubectl's strict field validation and `kubectl explain`.
 */
import { createHash } from "node:crypto";
import { groupVersion, resources } from "../../api/resources.js";
import type { ResourceInfo } from "../../api/resources.js";
import type { JsonObject } from "../../api/types.js";
import { referencedSchemas, resourcePaths } from "./paths.js";
import { componentSchemas } from "./schemas.js";

/** The index path of a group-version: `api/v1`, `apis/apps/v1`. */
function indexPath(gv: string): string {
  return gv.includes("/") ? `apis/${gv}` : `api/${gv}`;
}

/** Served group-versions in discovery order: `v1`, `apps/v1`, `coordination.k8s.io/v1`. */
function servedGroupVersions(): string[] {
  return [...new Set(resources.map((r) => groupVersion(r)))];
}

/**
 * Normalizes `api/v1`, `/openapi/v3/apis/apps/v1`, `apps/v1` or `v1` to a served group-version
 * (`v1`, `apps/v1`); undefined when not served.
 */
export function servedGroupVersion(name: string): string | undefined {
  const trimmed = name.replace(/^\/+/, "").replace(/^openapi\/v3\//, "").replace(/\/+$/, "");
  const served = servedGroupVersions();
  if (served.includes(trimmed)) return trimmed;
  return served.find((gv) => indexPath(gv) === trimmed);
}

/** Builds the OpenAPI 3.0 document of a served group-version (any accepted spelling); undefined when not served. */
export function openApiDocument(name: string): JsonObject | undefined {
  const gv = servedGroupVersion(name);
  if (gv === undefined) return undefined;
  const rs: ResourceInfo[] = resources.filter((r) => groupVersion(r) === gv);
  const paths: JsonObject = {};
  for (const r of rs) Object.assign(paths, resourcePaths(r));
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "unversioned" },
    paths: sortedPaths,
    components: {
      schemas: componentSchemas(referencedSchemas(rs)),
      securitySchemes: { BearerToken: { description: "Bearer Token authentication", in: "header", name: "authorization", type: "apiKey" } },
    },
    security: [{ BearerToken: [] }],
  };
}

/** Upstream's content hash of a serialized document: SHA-512, upper-case hex. */
export function documentHash(json: string): string {
  return createHash("sha512").update(json).digest("hex").toUpperCase();
}

/** Builds the /openapi/v3 index: `{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"},…}}`. */
export function openApiIndex(): JsonObject {
  return new OpenApiDocuments().index();
}

/** The served documents, serialized once when constructed; create one per server and reuse it. */
export class OpenApiDocuments {
  private readonly documents = new Map<string, { json: string; hash: string }>();
  private readonly indexObject: JsonObject;
  private readonly indexText: string;

  constructor() {
    const paths: JsonObject = {};
    for (const gv of servedGroupVersions()) {
      const json = JSON.stringify(openApiDocument(gv));
      const hash = documentHash(json);
      this.documents.set(gv, { json, hash });
      paths[indexPath(gv)] = { serverRelativeURL: `/openapi/v3/${indexPath(gv)}?hash=${hash}` };
    }
    this.indexObject = { paths };
    this.indexText = JSON.stringify(this.indexObject);
  }

  /** The index as an object (a fresh copy). */
  index(): JsonObject {
    return JSON.parse(this.indexText) as JsonObject;
  }

  /** The index, serialized. */
  indexJson(): string {
    return this.indexText;
  }

  /** A group-version's document serialized (any spelling servedGroupVersion accepts); undefined when not served. */
  documentJson(name: string): string | undefined {
    const gv = servedGroupVersion(name);
    return gv === undefined ? undefined : this.documents.get(gv)?.json;
  }

  /** The hash the index advertises for a group-version's document (usable as an ETag); undefined when not served. */
  documentHash(name: string): string | undefined {
    const gv = servedGroupVersion(name);
    return gv === undefined ? undefined : this.documents.get(gv)?.hash;
  }
}
