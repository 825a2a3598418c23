/**
 * Swagger 2.0 documents in the protobuf form kubectl asks /openapi/v2 for
 * (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, the gnostic `openapi.v2.Document` message).
 * Covers the keywords the served documents use; any other keyword is an error, never silently dropped.
 */
import protobuf from "protobufjs/minimal.js";
import { stringify } from "yaml";
import type { JsonObject, JsonValue } from "../../api/types.js";

type Writer = protobuf.Writer;

/** The media type kubectl requests the v2 document in. */
export const openApiV2Protobuf = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

const lengthDelimited = 2;
const varint = 0;

function tag(w: Writer, field: number, wire: number): Writer {
  return w.uint32((field << 3) | wire);
}

function text(w: Writer, field: number, value: string): void {
  tag(w, field, lengthDelimited).string(value);
}

function message(w: Writer, field: number, body: (w: Writer) => void): void {
  tag(w, field, lengthDelimited).fork();
  body(w);
  w.ldelim();
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A gnostic `Any`: the value as YAML text. */
function any(w: Writer, field: number, value: JsonValue): void {
  message(w, field, (m) => text(m, 2, stringify(value)));
}

/** A `Schema` message (field numbers of openapi.v2.Schema). */
function schema(w: Writer, s: JsonObject): void {
  for (const [key, value] of Object.entries(s)) {
    if (key === "$ref" && typeof value === "string") text(w, 1, value);
    else if (key === "format" && typeof value === "string") text(w, 2, value);
    else if (key === "title" && typeof value === "string") text(w, 3, value);
    else if (key === "description" && typeof value === "string") text(w, 4, value);
    else if (key === "default" && value !== null) any(w, 5, value);
    else if (key === "required" && Array.isArray(value)) for (const r of value) text(w, 19, String(r));
    else if (key === "enum" && Array.isArray(value)) for (const e of value) any(w, 20, e);
    else if (key === "additionalProperties" && typeof value === "boolean") message(w, 21, (m) => tag(m, 2, varint).bool(value));
    else if (key === "additionalProperties" && isObject(value)) message(w, 21, (m) => message(m, 1, (n) => schema(n, value)));
    else if (key === "type" && typeof value === "string") message(w, 22, (m) => text(m, 1, value));
    else if (key === "items" && isObject(value)) message(w, 23, (m) => message(m, 1, (n) => schema(n, value)));
    else if (key === "allOf" && Array.isArray(value)) for (const a of value) message(w, 24, (m) => schema(m, isObject(a) ? a : {}));
    else if (key === "properties" && isObject(value)) message(w, 25, (m) => namedSchemas(m, value));
    else if (key.startsWith("x-")) message(w, 31, (m) => { text(m, 1, key); any(m, 2, value); });
    else throw new Error(`openapi v2: cannot encode schema keyword ${JSON.stringify(key)}`);
  }
}

/** Repeated `NamedSchema` (field 1 of Definitions and Properties). */
function namedSchemas(w: Writer, schemas: JsonObject): void {
  for (const [name, value] of Object.entries(schemas)) {
    message(w, 1, (m) => {
      text(m, 1, name);
      message(m, 2, (n) => schema(n, isObject(value) ? value : {}));
    });
  }
}

/** Encodes a Swagger 2.0 document (swagger, info, empty paths, definitions) as an openapi.v2.Document. */
export function encodeSwagger(doc: JsonObject): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [key, value] of Object.entries(doc)) {
    if (key === "swagger" && typeof value === "string") text(w, 1, value);
    else if (key === "info" && isObject(value)) {
      message(w, 2, (m) => {
        if (typeof value.title === "string") text(m, 1, value.title);
        if (typeof value.version === "string") text(m, 2, value.version);
      });
    } else if (key === "paths" && isObject(value) && Object.keys(value).length === 0) message(w, 8, () => undefined);
    else if (key === "definitions" && isObject(value)) message(w, 9, (m) => namedSchemas(m, value));
    else throw new Error(`openapi v2: cannot encode document field ${JSON.stringify(key)}`);
  }
  return w.finish();
}
