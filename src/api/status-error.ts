import type { Status, StatusCause, StatusDetails } from "./types.js";

/** The `reason` values of metav1.Status that everynode answers with. */
export type StatusReason =
  | "NotFound" | "AlreadyExists" | "Conflict" | "Invalid" | "BadRequest" | "Gone" | "Expired"
  | "MethodNotAllowed" | "UnsupportedMediaType" | "RequestEntityTooLarge" | "Forbidden" | "Unauthorized"
  | "InternalError" | "NotAcceptable" | "Timeout" | "TooManyRequests" | "ServiceUnavailable";

/** One field-level validation error, rendered as upstream's field.Error. */
export interface FieldError {
  /** Upstream cause type, e.g. `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`. */
  type: "FieldValueRequired" | "FieldValueInvalid" | "FieldValueNotSupported" | "FieldValueForbidden"
    | "FieldValueDuplicate" | "FieldValueTooLong" | "FieldValueNotFound" | "FieldValueTypeInvalid";
  /** Field path, e.g. `spec.template.spec.containers[0].image`. */
  field: string;
  /** Error body without the field, e.g. `Required value` or `Invalid value: "x": must be ...`. */
  detail: string;
}

/** An API error that carries the metav1.Status to answer with; thrown by every layer below HTTP. */
export class StatusError extends Error {
  constructor(readonly status: Status & { code: number; reason: string; message: string }) {
    super(status.message);
    this.name = "StatusError";
  }
  /** HTTP status code. */
  get code(): number { return this.status.code; }
  /** metav1.Status reason. */
  get reason(): string { return this.status.reason; }
}

/** True when `error` is a StatusError with HTTP status `code`. */
export function isStatus(error: unknown, code: number): boolean {
  return error instanceof StatusError && error.code === code;
}

/**
 * True when `error` is the answer to a JSON patch whose `test` operation failed: 422 Invalid with the cause
 * `testing value <path> failed: test failed`, as kube-apiserver (and everynode) answer it.
 */
export function isFailedPatchTest(error: unknown): boolean {
  return isStatus(error, 422) && (error as StatusError).status.details?.causes?.some((c) => /^testing value .* failed/.test(c.message ?? "")) === true;
}

/** Builds a StatusError from parts. */
export function statusError(code: number, reason: StatusReason | string, message: string, details?: StatusDetails): StatusError {
  const status: Status & { code: number; reason: string; message: string } = {
    kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code,
  };
  if (details) status.details = details;
  return new StatusError(status);
}

/** Identifies a resource in messages: `daemonsets.apps` or `pods` plus the kind for 422s. */
export interface ResourceRef { group: string; resource: string; kind: string }

function qualified(ref: ResourceRef): string { return ref.group ? `${ref.resource}.${ref.group}` : ref.resource; }

/** 404: `daemonsets.apps "x" not found`. */
export function notFound(ref: ResourceRef, name: string): StatusError {
  return statusError(404, "NotFound", `${qualified(ref)} "${name}" not found`, { name, group: ref.group, kind: ref.resource });
}

/** 409: `daemonsets.apps "x" already exists`. */
export function alreadyExists(ref: ResourceRef, name: string): StatusError {
  return statusError(409, "AlreadyExists", `${qualified(ref)} "${name}" already exists`, { name, group: ref.group, kind: ref.resource });
}

/** 403 Forbidden: `pods "x" is forbidden: <why>`. */
export function forbidden(ref: ResourceRef, name: string, why: string): StatusError {
  return statusError(403, "Forbidden", `${qualified(ref)} "${name}" is forbidden: ${why}`, { name, group: ref.group, kind: ref.resource });
}

/** 409 Conflict: `Operation cannot be fulfilled on daemonsets.apps "x": <why>`. */
export function conflict(ref: ResourceRef, name: string, why = "the object has been modified; please apply your changes to the latest version and try again"): StatusError {
  return statusError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${why}`, { name, group: ref.group, kind: ref.resource });
}

/** Renders one field error as upstream does: `spec.selector: Required value`. */
export function fieldErrorString(e: FieldError): string { return e.field ? `${e.field}: ${e.detail}` : e.detail; }

/** 422 Invalid: `DaemonSet.apps "x" is invalid: [a: ..., b: ...]` with causes. */
export function invalid(ref: ResourceRef, name: string, errs: FieldError[]): StatusError {
  const kind = ref.group ? `${ref.kind}.${ref.group}` : ref.kind;
  const parts = errs.map(fieldErrorString);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
  return statusError(422, "Invalid", `${kind} "${name}" is invalid: ${joined}`, { name, group: ref.group, kind: ref.kind, causes });
}

/** 400 BadRequest with a message. */
export function badRequest(message: string): StatusError { return statusError(400, "BadRequest", message); }

/** 410 Expired: `too old resource version: 5 (10)`. */
export function expired(message: string): StatusError { return statusError(410, "Expired", message); }

/** 500 InternalError; only for genuine server faults, never client mistakes. */
export function internalError(message: string): StatusError {
  return statusError(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** Field error helpers, formatted as upstream's field.ErrorBody. */
export const fieldErrors = {
  required: (field: string, detail = ""): FieldError => ({ type: "FieldValueRequired", field, detail: detail ? `Required value: ${detail}` : "Required value" }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({ type: "FieldValueInvalid", field, detail: `Invalid value: ${formatValue(value)}${detail ? `: ${detail}` : ""}` }),
  notSupported: (field: string, value: unknown, supported: string[]): FieldError => ({ type: "FieldValueNotSupported", field, detail: `Unsupported value: ${formatValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}` }),
  forbidden: (field: string, detail: string): FieldError => ({ type: "FieldValueForbidden", field, detail: `Forbidden: ${detail}` }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: "FieldValueDuplicate", field, detail: `Duplicate value: ${formatValue(value)}` }),
  tooLong: (field: string, max: number): FieldError => ({ type: "FieldValueTooLong", field, detail: `Too long: may not be more than ${max} bytes` }),
  notFound: (field: string, value: unknown): FieldError => ({ type: "FieldValueNotFound", field, detail: `Not found: ${formatValue(value)}` }),
};

/** Formats a value the way upstream field errors print them: strings quoted, numbers bare, objects as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null || value === undefined) return "null";
  return JSON.stringify(value);
}
