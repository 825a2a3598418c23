import { badRequest, statusError, StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { PatchType } from "../../client/client.js";
import { decodeProtobufObject } from "../protobuf/index.js";
import { parseJsonText, parseYamlText } from "./body-text.js";

/** The encodings a request body may come in. */
export type BodyFormat = "json" | "yaml" | "protobuf";

const bodyTypes: Record<string, BodyFormat> = {
  "application/json": "json",
  "application/yaml": "yaml",
  "application/vnd.kubernetes.protobuf": "protobuf",
};

const patchTypes: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

/** The media type of a Content-Type header, lower-cased and without parameters; "" when absent. */
function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** The body format of a create/update/delete request; no Content-Type means JSON. Throws 415 otherwise. */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const type = mediaTypeOf(contentType);
  if (type === "") return "json";
  const format = Object.hasOwn(bodyTypes, type) ? bodyTypes[type] : undefined;
  if (!format) throw unsupportedMediaType(Object.keys(bodyTypes));
  return format;
}

/** The patch type a PATCH's Content-Type names; throws 415 listing the accepted patch types otherwise. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = mediaTypeOf(contentType);
  const patchType = Object.hasOwn(patchTypes, type) ? patchTypes[type] : undefined;
  if (!patchType) throw unsupportedMediaType(Object.keys(patchTypes));
  return patchType;
}

function unsupportedMediaType(accepted: string[]): StatusError {
  return statusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
}

/** Thrown by `decodeBody` when the bytes are not a well-formed object; the message is upstream's decoder error. */
class DecodeError extends Error {
  constructor(message: string) { super(message); this.name = "DecodeError"; }
}

const goStruct = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/** Decodes a body into an object. Throws DecodeError (malformed or not an object) or StatusError (from protobuf). */
function decodeBody(body: Buffer, format: BodyFormat): KubeObject {
  let value: unknown;
  if (format === "protobuf") {
    try {
      return decodeProtobufObject(body);
    } catch (err) {
      if (err instanceof StatusError) throw err;
      throw new DecodeError(err instanceof Error ? err.message : String(err));
    }
  }
  const text = body.toString("utf8");
  if (format === "yaml") {
    try {
      value = parseYamlText(text);
    } catch (err) {
      throw new DecodeError(`error converting YAML to JSON: yaml: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    }
  } else {
    try {
      value = parseJsonText(text);
    } catch (err) {
      const why = text.trim() === "" ? "unexpected end of JSON input" : err instanceof Error ? err.message : String(err);
      throw new DecodeError(`couldn't get version/kind; json parse error: ${why}`);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const got = Array.isArray(value) ? "array" : value === null || value === undefined ? "null" : typeof value;
    if (got === "null") throw new DecodeError("Object 'Kind' is missing in 'null'");
    throw new DecodeError(`couldn't get version/kind; json parse error: json: cannot unmarshal ${got} into Go value of type ${goStruct}`);
  }
  return value as KubeObject;
}

/** Decodes a body, turning decoder errors into upstream's 400 `the object provided is unrecognized (must be of type X)`. */
export function decodeObjectBody(body: Buffer, format: BodyFormat, kind: string): KubeObject {
  try {
    return decodeBody(body, format);
  } catch (err) {
    if (err instanceof DecodeError) throw badRequest(`the object provided is unrecognized (must be of type ${kind}): ${err.message} (${summarize(body)})`);
    throw err;
  }
}

/** The first bytes of a body for error messages, as upstream summarizes it. */
function summarize(body: Buffer): string {
  if (body.length === 0) return "<empty>";
  const text = body.toString("utf8");
  return text.length > 30 ? `${text.slice(0, 30)} ...` : text;
}

/** One entry of an Accept header. */
interface AcceptEntry {
  type: string;
  params: Record<string, string>;
  q: number;
}

/** Parses an Accept header into entries ordered by preference (q descending, then as listed); q=0 dropped. */
function parseAccept(accept: string | undefined): AcceptEntry[] {
  if (!accept) return [];
  const entries: AcceptEntry[] = [];
  for (const part of accept.split(",")) {
    const [type = "", ...rest] = part.split(";").map((s) => s.trim());
    if (type === "") continue;
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, "");
    }
    const q = params.q === undefined ? 1 : Number(params.q);
    if (!(q > 0)) continue;
    entries.push({ type: type.toLowerCase(), params, q });
  }
  return entries.map((e, i) => ({ e, i })).sort((a, b) => b.e.q - a.e.q || a.i - b.i).map(({ e }) => e);
}

/** The representation chosen for a response. */
export interface OutputChoice {
  mediaType: "application/json" | "application/yaml";
  /** Set when the client asked for a meta.k8s.io Table (and the verb can produce one). */
  table?: "v1" | "v1beta1";
  /** Set when the client asked for the aggregated discovery document. */
  aggregatedDiscovery?: boolean;
}

const plainJson = new Set(["application/json", "application/*", "*/*", "application/vnd.kubernetes.protobuf"]);

/**
 * Picks the response representation from Accept: the first entry we can produce wins. Protobuf-only or
 * unknown Accepts are answered with JSON (clients that list protobuf also decode JSON).
 */
export function negotiateOutput(accept: string | undefined, can: { table?: boolean; aggregatedDiscovery?: boolean }): OutputChoice {
  for (const e of parseAccept(accept)) {
    const as = e.params.as;
    if (as === undefined) {
      if (plainJson.has(e.type)) return { mediaType: "application/json" };
      if (e.type === "application/yaml") return { mediaType: "application/yaml" };
      continue;
    }
    if (e.type !== "application/json") continue;
    if (can.table && as === "Table" && e.params.g === "meta.k8s.io" && (e.params.v === "v1" || e.params.v === "v1beta1")) {
      return { mediaType: "application/json", table: e.params.v };
    }
    if (can.aggregatedDiscovery && as === "APIGroupDiscoveryList" && e.params.g === "apidiscovery.k8s.io" && e.params.v === "v2") {
      return { mediaType: "application/json", aggregatedDiscovery: true };
    }
  }
  return { mediaType: "application/json" };
}
