/**
 * Decodes the protobuf request bodies kubectl sends (`application/vnd.kubernetes.protobuf`): the `k8s\0`
 * magic, a runtime.Unknown envelope, and the raw message of a Namespace (`kubectl create namespace`),
 * DeleteOptions (drain without eviction), Eviction, Binding or a kind of kind-messages.ts, turned into the
 * equivalent JSON object.
 */
import { statusError } from "../../api/status-error.js";
import type { StatusError } from "../../api/status-error.js";
import type { JsonObject, JsonValue, KubeObject } from "../../api/types.js";
import { parseJsonText } from "../http/body-text.js";
import { kindMessages } from "./kind-messages.js";
import { type FieldSpec, type MessageSpec, objectMeta, objectReference } from "./meta-messages.js";
import { ProtoDecodeError, ProtoReader, WireType, expectWireType } from "./wire.js";

/** The 4-byte prefix of every Kubernetes protobuf body. */
export const protobufMagic = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

const namespaceCondition: MessageSpec = {
  1: { name: "type", kind: "string" }, 2: { name: "status", kind: "string" }, 4: { name: "lastTransitionTime", kind: "time" },
  5: { name: "reason", kind: "string" }, 6: { name: "message", kind: "string" },
};

const namespace: MessageSpec = {
  1: { name: "metadata", kind: objectMeta },
  2: { name: "spec", kind: { 1: { name: "finalizers", kind: "string", repeated: true } } },
  3: { name: "status", kind: { 1: { name: "phase", kind: "string" }, 2: { name: "conditions", kind: namespaceCondition, repeated: true } } },
};

const deleteOptions: MessageSpec = {
  1: { name: "gracePeriodSeconds", kind: "int64", keepZero: true },
  2: { name: "preconditions", kind: { 1: { name: "uid", kind: "string", keepZero: true }, 2: { name: "resourceVersion", kind: "string", keepZero: true } } },
  3: { name: "orphanDependents", kind: "bool", keepZero: true },
  4: { name: "propagationPolicy", kind: "string", keepZero: true },
  5: { name: "dryRun", kind: "string", repeated: true },
  6: { name: "ignoreStoreReadErrorWithClusterBreakingPotential", kind: "bool", keepZero: true },
};

const eviction: MessageSpec = { 1: { name: "metadata", kind: objectMeta }, 2: { name: "deleteOptions", kind: deleteOptions } };
const binding: MessageSpec = { 1: { name: "metadata", kind: objectMeta }, 2: { name: "target", kind: objectReference } };

/** Message layouts by `apiVersion/kind`; DeleteOptions is accepted under any apiVersion. */
const kinds: Record<string, MessageSpec> = {
  "v1/Namespace": namespace,
  "v1/Binding": binding,
  "policy/v1/Eviction": eviction,
  ...kindMessages,
};

/** Go's zero time.Time as Unix seconds (what a zero metav1.Time marshals to). */
const zeroTimeSeconds = -62135596800;

function decodeTime(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return undefined;
  const r = new ProtoReader(bytes);
  let seconds = 0;
  let nanos = 0;
  while (!r.done()) {
    const tag = r.tag();
    if (tag.field === 1) { expectWireType(tag, WireType.varint); seconds = r.int64(); }
    else if (tag.field === 2) { expectWireType(tag, WireType.varint); nanos = r.int32(); }
    else r.skip(tag.wireType);
  }
  if (seconds === zeroTimeSeconds && nanos === 0) return undefined;
  const ms = seconds * 1000;
  if (!Number.isSafeInteger(seconds) || Math.abs(ms) > 8.64e15 || nanos < 0 || nanos > 999_999_999) throw new ProtoDecodeError("invalid timestamp");
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** resource.Quantity: its string form (field 1). */
function decodeQuantity(bytes: Uint8Array): string {
  const r = new ProtoReader(bytes);
  let value = "";
  while (!r.done()) {
    const tag = r.tag();
    if (tag.field === 1) { expectWireType(tag, WireType.bytes); value = r.string(); }
    else r.skip(tag.wireType);
  }
  return value;
}

/** A map<string, string|bytes|Quantity> entry; bytes values become base64 as in JSON, Quantities their string. */
function decodeMapEntry(bytes: Uint8Array, value: "string" | "base64" | "quantity"): [string, string] {
  const r = new ProtoReader(bytes);
  let key = "";
  let v = "";
  while (!r.done()) {
    const tag = r.tag();
    if (tag.field === 1) { expectWireType(tag, WireType.bytes); key = r.string(); }
    else if (tag.field === 2) {
      expectWireType(tag, WireType.bytes);
      v = value === "base64" ? Buffer.from(r.bytes()).toString("base64") : value === "quantity" ? decodeQuantity(r.bytes()) : r.string();
    } else r.skip(tag.wireType);
  }
  return [key, v];
}

/** intstr.IntOrString: type 0 = intVal (field 2), 1 = strVal (field 3). */
function decodeIntOrString(bytes: Uint8Array): number | string {
  const r = new ProtoReader(bytes);
  let type = 0;
  let intVal = 0;
  let strVal = "";
  while (!r.done()) {
    const tag = r.tag();
    if (tag.field === 1) { expectWireType(tag, WireType.varint); type = r.int64(); }
    else if (tag.field === 2) { expectWireType(tag, WireType.varint); intVal = r.int32(); }
    else if (tag.field === 3) { expectWireType(tag, WireType.bytes); strVal = r.string(); }
    else r.skip(tag.wireType);
  }
  return type === 1 ? strVal : intVal;
}

function decodeFieldsV1(bytes: Uint8Array): JsonValue | undefined {
  const r = new ProtoReader(bytes);
  let raw: Uint8Array | undefined;
  while (!r.done()) {
    const tag = r.tag();
    if (tag.field === 1) { expectWireType(tag, WireType.bytes); raw = r.bytes(); }
    else r.skip(tag.wireType);
  }
  if (!raw || raw.length === 0) return undefined;
  try {
    // Nesting is bounded as for JSON bodies, before anything recursive sees the value.
    return parseJsonText(new TextDecoder().decode(raw)) as JsonValue;
  } catch {
    throw new ProtoDecodeError("fieldsV1 is not valid JSON");
  }
}

function isZero(v: JsonValue | undefined): boolean {
  return v === undefined || v === "" || v === 0 || v === false;
}

function readField(r: ProtoReader, spec: FieldSpec, wireType: number): JsonValue | undefined {
  const kind = spec.kind;
  if (typeof kind === "object") {
    expectWireType({ field: 0, wireType }, WireType.bytes);
    return decodeMessage(r.bytes(), kind);
  }
  switch (kind) {
    case "string": expectWireType({ field: 0, wireType }, WireType.bytes); return r.string();
    case "int64": expectWireType({ field: 0, wireType }, WireType.varint); return r.int64();
    case "int32": expectWireType({ field: 0, wireType }, WireType.varint); return r.int32();
    case "bool": expectWireType({ field: 0, wireType }, WireType.varint); return r.bool();
    case "time": expectWireType({ field: 0, wireType }, WireType.bytes); return decodeTime(r.bytes());
    case "fieldsV1": expectWireType({ field: 0, wireType }, WireType.bytes); return decodeFieldsV1(r.bytes());
    case "stringMap": expectWireType({ field: 0, wireType }, WireType.bytes); return decodeMapEntry(r.bytes(), "string");
    case "bytesMap": expectWireType({ field: 0, wireType }, WireType.bytes); return decodeMapEntry(r.bytes(), "base64");
    case "quantityMap": expectWireType({ field: 0, wireType }, WireType.bytes); return decodeMapEntry(r.bytes(), "quantity");
    case "quantity": expectWireType({ field: 0, wireType }, WireType.bytes); return decodeQuantity(r.bytes());
    case "intOrString": expectWireType({ field: 0, wireType }, WireType.bytes); return decodeIntOrString(r.bytes());
  }
}

function decodeMessage(bytes: Uint8Array, spec: MessageSpec): JsonObject {
  const r = new ProtoReader(bytes);
  const out: JsonObject = {};
  while (!r.done()) {
    const tag = r.tag();
    const field = Object.hasOwn(spec, tag.field) ? spec[tag.field] : undefined;
    if (!field) {
      r.skip(tag.wireType);
      continue;
    }
    const value = readField(r, field, tag.wireType);
    if (field.inline) {
      Object.assign(out, value);
    } else if (field.kind === "stringMap" || field.kind === "bytesMap" || field.kind === "quantityMap") {
      const [k, v] = value as [string, string];
      const map = (out[field.name] ?? (out[field.name] = {})) as JsonObject;
      map[k] = v;
    } else if (field.repeated) {
      if (value !== undefined) ((out[field.name] ?? (out[field.name] = [])) as JsonValue[]).push(value);
    } else if (value !== undefined && (field.keepZero || !isZero(value))) {
      out[field.name] = value;
    } else {
      delete out[field.name];
    }
  }
  return out;
}

function decodeUnknown(bytes: Uint8Array): { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string; contentType: string } {
  const r = new ProtoReader(bytes);
  const env: { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string; contentType: string } = { apiVersion: "", kind: "", raw: new Uint8Array(0), contentEncoding: "", contentType: "" };
  while (!r.done()) {
    const tag = r.tag();
    switch (tag.field) {
      case 1: {
        expectWireType(tag, WireType.bytes);
        const tm = new ProtoReader(r.bytes());
        while (!tm.done()) {
          const t = tm.tag();
          if (t.field === 1) { expectWireType(t, WireType.bytes); env.apiVersion = tm.string(); }
          else if (t.field === 2) { expectWireType(t, WireType.bytes); env.kind = tm.string(); }
          else tm.skip(t.wireType);
        }
        break;
      }
      case 2: expectWireType(tag, WireType.bytes); env.raw = r.bytes(); break;
      case 3: expectWireType(tag, WireType.bytes); env.contentEncoding = r.string(); break;
      case 4: expectWireType(tag, WireType.bytes); env.contentType = r.string(); break;
      default: r.skip(tag.wireType);
    }
  }
  return env;
}

function unsupported(): StatusError {
  return statusError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
}

/** True when the body starts with the Kubernetes protobuf magic. */
export function hasProtobufMagic(body: Uint8Array): boolean {
  return body.length >= 4 && protobufMagic.every((b, i) => body[i] === b);
}

/**
 * Decodes a Kubernetes protobuf body into the equivalent JSON object (apiVersion and kind from the envelope).
 * Throws StatusError 400 for malformed bytes and 415 for kinds this server cannot read as protobuf.
 */
export function decodeProtobufObject(body: Uint8Array): KubeObject {
  if (!hasProtobufMagic(body)) {
    throw statusError(400, "BadRequest", "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
  }
  try {
    const env = decodeUnknown(body.subarray(4));
    if (env.contentEncoding !== "") throw unsupported();
    if (env.kind === "") throw statusError(400, "BadRequest", "Object 'Kind' is missing in protobuf message");
    const key = `${env.apiVersion}/${env.kind}`;
    const spec = env.kind === "DeleteOptions" ? deleteOptions : Object.hasOwn(kinds, key) ? kinds[key] : undefined;
    if (!spec) throw unsupported();
    return { apiVersion: env.apiVersion, kind: env.kind, ...decodeMessage(env.raw, spec) };
  } catch (e) {
    if (e instanceof ProtoDecodeError) throw statusError(400, "BadRequest", `proto: ${e.message}`);
    throw e;
  }
}
