/**
 * The OpenAPI v2 (Swagger 2.0) document served at /openapi/v2: the definitions of every served kind, converted
 * from the OpenAPI v3 schemas the way upstream's v2 differs (`#/definitions/` references with siblings, no
 * `oneOf`: int-or-string and quantities are strings). Operations are described by /openapi/v3 only, so `paths`
 * is empty: kubectl then validates an object of a kind this server does not serve no further and reports it
 * as upstream does ("no matches for kind …"), instead of failing the whole manifest.
 */
import { resources } from "../../api/resources.js";
import type { JsonObject, JsonValue } from "../../api/types.js";
import { referencedSchemas } from "./paths.js";
import { componentSchemas } from "./schemas.js";

const v3Prefix = "#/components/schemas/";

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** One schema in v2 form. */
function toV2(schema: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$ref" && typeof value === "string") out.$ref = value.startsWith(v3Prefix) ? `#/definitions/${value.slice(v3Prefix.length)}` : value;
    else if (key === "allOf" && Array.isArray(value) && value.length === 1 && isObject(value[0])) Object.assign(out, toV2(value[0]));
    else if (key === "oneOf") out.type ??= "string";
    else if (key === "properties" && isObject(value)) out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isObject(v) ? toV2(v) : v]));
    else if ((key === "items" || key === "additionalProperties") && isObject(value)) out[key] = toV2(value);
    else out[key] = value;
  }
  return out;
}

/** The Swagger 2.0 document of every served kind (see the file comment). */
export function swaggerDocument(): JsonObject {
  const definitions: JsonObject = {};
  for (const [name, schema] of Object.entries(componentSchemas(referencedSchemas(resources)))) {
    if (isObject(schema)) definitions[name] = toV2(schema);
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version: "unversioned" }, paths: {}, definitions };
}
