import { badRequest, fieldErrors, invalid, type FieldError } from "../../api/status-error.js";
import type { DeleteOptions, KubeObject } from "../../api/types.js";
import type { RequestContext } from "./context.js";
import { readRawBody } from "./decode-request.js";
import { decodeObjectBody } from "./negotiate.js";
import { dryRunErrors, queryBool, queryInt, queryString } from "./query.js";

const policies = ["Foreground", "Background", "Orphan"];

/**
 * The DeleteOptions of a DELETE: from the body when there is one (JSON, YAML or protobuf), else from the query
 * parameters gracePeriodSeconds, propagationPolicy, orphanDependents and dryRun. Throws 400 on malformed input
 * and 422 `DeleteOptions.meta.k8s.io "" is invalid` on disallowed values.
 */
export async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const { body, format } = await readRawBody(ctx, true);
  const options = body.length > 0 ? fromBody(decodeObjectBody(body, format, "DeleteOptions")) : fromQuery(ctx.query);
  const errs: FieldError[] = [...dryRunErrors(options.dryRun ?? [])];
  if (options.propagationPolicy !== undefined && options.orphanDependents !== undefined) {
    errs.push(fieldErrors.invalid("propagationPolicy", options.propagationPolicy, "orphanDependents and deletionPropagation cannot be both set"));
  }
  if (options.propagationPolicy !== undefined && !policies.includes(options.propagationPolicy)) {
    errs.push(fieldErrors.notSupported("propagationPolicy", options.propagationPolicy, [...policies, "nil"]));
  }
  if (errs.length > 0) throw invalid({ group: "meta.k8s.io", resource: "", kind: "DeleteOptions" }, "", errs);
  return options;
}

function fromQuery(q: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = {};
  const grace = queryInt(q, "gracePeriodSeconds");
  const policy = queryString(q, "propagationPolicy");
  const orphan = queryBool(q, "orphanDependents");
  const dryRun = q.getAll("dryRun");
  if (grace !== undefined) options.gracePeriodSeconds = grace;
  if (policy !== undefined && policy !== "") options.propagationPolicy = policy;
  if (orphan !== undefined) options.orphanDependents = orphan;
  if (dryRun.length > 0) options.dryRun = dryRun;
  return options;
}

function fromBody(obj: KubeObject): DeleteOptions {
  const options: DeleteOptions = {};
  const type = (field: string, want: string): never => {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(obj[field]) ? "array" : typeof obj[field]} into Go struct field DeleteOptions.${field} of type ${want}`);
  };
  const { gracePeriodSeconds, propagationPolicy, orphanDependents, dryRun, preconditions } = obj;
  if (gracePeriodSeconds !== undefined && gracePeriodSeconds !== null) {
    if (typeof gracePeriodSeconds !== "number" || !Number.isInteger(gracePeriodSeconds)) type("gracePeriodSeconds", "int64");
    else options.gracePeriodSeconds = gracePeriodSeconds;
  }
  if (propagationPolicy !== undefined && propagationPolicy !== null) {
    if (typeof propagationPolicy !== "string") type("propagationPolicy", "v1.DeletionPropagation");
    else options.propagationPolicy = propagationPolicy;
  }
  if (orphanDependents !== undefined && orphanDependents !== null) {
    if (typeof orphanDependents !== "boolean") type("orphanDependents", "bool");
    else options.orphanDependents = orphanDependents;
  }
  if (dryRun !== undefined && dryRun !== null) {
    if (!Array.isArray(dryRun) || dryRun.some((v) => typeof v !== "string")) type("dryRun", "[]string");
    else options.dryRun = dryRun as string[];
  }
  if (preconditions !== undefined && preconditions !== null) {
    if (typeof preconditions !== "object" || Array.isArray(preconditions)) type("preconditions", "v1.Preconditions");
    const p = preconditions as Record<string, unknown>;
    options.preconditions = {};
    if (typeof p.uid === "string") options.preconditions.uid = p.uid;
    if (typeof p.resourceVersion === "string") options.preconditions.resourceVersion = p.resourceVersion;
  }
  return options;
}
