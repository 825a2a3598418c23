import { parseFieldSelector } from "../../api/field-selector.js";
import { parseLabelSelector } from "../../api/label-selector.js";
import type { ResourceInfo } from "../../api/resources.js";
import { badRequest, fieldErrors, invalid, type FieldError } from "../../api/status-error.js";
import type { ListOptions, WatchOptions, WriteOptions } from "../../client/client.js";

/** The first value of a query parameter, or undefined when absent. */
export function queryString(q: URLSearchParams, name: string): string | undefined {
  const v = q.get(name);
  return v === null ? undefined : v;
}

/** A boolean parameter as upstream reads one: absent = undefined; `0`, `f`, `false` = false; anything else = true. */
export function queryBool(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return !(v === "0" || v.toLowerCase() === "f" || v.toLowerCase() === "false");
}

/** An integer parameter; throws 400 BadRequest with strconv's message when it is not a base-10 integer. */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return parseInteger(v);
}

/** Parses a base-10 int64 as Go's strconv.ParseInt does; throws 400 on malformed input. */
function parseInteger(v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return n;
}

const metaRef = (kind: string) => ({ group: "meta.k8s.io", resource: "", kind });

/** A list or watch request's options, validated as upstream validates ListOptions. */
export interface ListQuery {
  watch: boolean;
  list: ListOptions;
  watchOptions: WatchOptions;
}

/**
 * Reads labelSelector, fieldSelector, limit, continue, resourceVersion, resourceVersionMatch, watch,
 * allowWatchBookmarks, sendInitialEvents and timeoutSeconds. Malformed selectors and numbers → 400;
 * inconsistent combinations → 422 `ListOptions.meta.k8s.io "" is invalid`.
 */
export function parseListQuery(q: URLSearchParams, resource: ResourceInfo): ListQuery {
  const labelSelector = queryString(q, "labelSelector");
  const fieldSelector = queryString(q, "fieldSelector");
  if (labelSelector) parseLabelSelector(labelSelector);
  if (fieldSelector) parseFieldSelector(fieldSelector, resource.resource);
  const limit = queryInt(q, "limit");
  const timeoutSeconds = queryInt(q, "timeoutSeconds");
  const cont = queryString(q, "continue");
  const resourceVersion = queryString(q, "resourceVersion");
  const match = queryString(q, "resourceVersionMatch");
  const watch = queryBool(q, "watch") ?? false;
  const allowWatchBookmarks = queryBool(q, "allowWatchBookmarks");
  const sendInitialEvents = queryBool(q, "sendInitialEvents");

  const errs = watch
    ? watchOptionErrors(match, sendInitialEvents, cont)
    : listOptionErrors(match, resourceVersion, cont, sendInitialEvents);
  if (errs.length > 0) throw invalid(metaRef("ListOptions"), "", errs);

  const rvMatch = match === "Exact" || match === "NotOlderThan" ? match : undefined;
  const list: ListOptions = {};
  const watchOptions: WatchOptions = {};
  for (const o of [list, watchOptions]) {
    if (labelSelector) o.labelSelector = labelSelector;
    if (fieldSelector) o.fieldSelector = fieldSelector;
    if (resourceVersion !== undefined) o.resourceVersion = resourceVersion;
    if (rvMatch) o.resourceVersionMatch = rvMatch;
  }
  if (limit !== undefined && limit > 0) list.limit = limit;
  if (cont) list.continue = cont;
  if (allowWatchBookmarks) watchOptions.allowWatchBookmarks = true;
  if (sendInitialEvents !== undefined) watchOptions.sendInitialEvents = sendInitialEvents;
  if (timeoutSeconds !== undefined && timeoutSeconds > 0) watchOptions.timeoutSeconds = timeoutSeconds;
  return { watch, list, watchOptions };
}

function listOptionErrors(match: string | undefined, rv: string | undefined, cont: string | undefined, sendInitialEvents: boolean | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (match) {
    if (!rv) errs.push(fieldErrors.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"));
    if (cont) errs.push(fieldErrors.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
    if (match !== "Exact" && match !== "NotOlderThan") errs.push(fieldErrors.notSupported("resourceVersionMatch", match, ["Exact", "NotOlderThan", ""]));
    if (match === "Exact" && rv === "0") errs.push(fieldErrors.forbidden("resourceVersionMatch", 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (sendInitialEvents !== undefined) errs.push(fieldErrors.forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"));
  return errs;
}

function watchOptionErrors(match: string | undefined, sendInitialEvents: boolean | undefined, cont: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (sendInitialEvents !== undefined && match !== "NotOlderThan") {
    errs.push(fieldErrors.forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
  }
  if (match) {
    if (sendInitialEvents === undefined) errs.push(fieldErrors.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
    if (match !== "NotOlderThan") errs.push(fieldErrors.notSupported("resourceVersionMatch", match, ["NotOlderThan"]));
    if (cont) errs.push(fieldErrors.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
  }
  return errs;
}

/** Which meta options kind a write verb validates as, for 422 messages (`CreateOptions.meta.k8s.io "" is invalid`). */
export type OptionsKind = "CreateOptions" | "UpdateOptions" | "PatchOptions" | "DeleteOptions";

const fieldValidationValues = ["", "Ignore", "Strict", "Warn"];

/** Validates dryRun values: every value must be `All`. Returns field errors. */
export function dryRunErrors(values: readonly string[]): FieldError[] {
  return values.some((v) => v !== "All") ? [fieldErrors.notSupported("dryRun", values, ["All"])] : [];
}

/**
 * Reads dryRun, fieldManager and fieldValidation for create, update and patch. A missing fieldValidation
 * means Warn, as upstream's HTTP default. Throws 422 naming `kind` when a value is not allowed.
 */
export function parseWriteQuery(q: URLSearchParams, kind: OptionsKind, extra: FieldError[] = []): WriteOptions {
  const dryRun = q.getAll("dryRun");
  const fieldManager = queryString(q, "fieldManager");
  const fieldValidation = queryString(q, "fieldValidation") ?? "";
  const errs = [...dryRunErrors(dryRun)];
  if (fieldManager !== undefined) errs.push(...fieldManagerErrors(fieldManager));
  if (!fieldValidationValues.includes(fieldValidation)) errs.push(fieldErrors.notSupported("fieldValidation", fieldValidation, fieldValidationValues));
  errs.push(...extra);
  if (errs.length > 0) throw invalid(metaRef(kind), "", errs);
  const options: WriteOptions = { fieldValidation: fieldValidation === "" ? "Warn" : (fieldValidation as "Ignore" | "Strict" | "Warn") };
  if (dryRun.length > 0) options.dryRun = true;
  if (fieldManager) options.fieldManager = fieldManager;
  return options;
}

/** Validates a field manager name: at most 128 characters, printable only. */
function fieldManagerErrors(manager: string): FieldError[] {
  if (manager.length > 128) return [fieldErrors.tooLong("fieldManager", 128)];
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(manager)) return [fieldErrors.invalid("fieldManager", manager, "must only contain printable characters")];
  return [];
}

/**
 * The field manager of a write that names none: the User-Agent up to its first `/`, printable characters only,
 * at most 128 bytes (upstream's prefixFromUserAgent; `kubectl/v1.32.0 (linux/amd64)` → `kubectl`).
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  let out = "";
  for (const ch of (userAgent ?? "").split("/")[0] ?? "") {
    if (/\p{C}/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > 128) break;
    out += ch;
  }
  return out;
}
