/**
 * core/v1 Event validation (the legacy rules upstream applies to v1 events): namespaces agree with the
 * involved object, and events with eventTime carry reporting fields.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { isDNS1123Subdomain, isQualifiedName } from "./names.js";
import { type Obj, isAbsent, readObj, readString } from "./shape.js";

function hasEventTime(v: unknown): boolean {
  return !isAbsent(v) && v !== "";
}

/** Validates a v1 event on create and update. */
export function validateEvent(event: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const meta = readObj(event.metadata, "metadata", errs) ?? {};
  const namespace = readString(meta.namespace, "metadata.namespace", errs) ?? "";
  const involved = readObj(event.involvedObject, "involvedObject", errs) ?? {};
  const involvedNamespace = readString(involved.namespace, "involvedObject.namespace", errs) ?? "";
  const mismatch = () => fieldErrors.invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace");
  if (!hasEventTime(event.eventTime)) {
    if (involvedNamespace === "") {
      if (namespace !== "" && namespace !== "default") errs.push(mismatch());
    } else if (namespace !== involvedNamespace) {
      errs.push(mismatch());
    }
  } else {
    if (involvedNamespace === "" && namespace !== "default" && namespace !== "kube-system") errs.push(mismatch());
    const controller = readString(event.reportingComponent, "reportingComponent", errs) ?? "";
    if (controller === "") errs.push(fieldErrors.required("reportingComponent"));
    for (const msg of isQualifiedName(controller)) errs.push(fieldErrors.invalid("reportingComponent", controller, msg));
    const instance = readString(event.reportingInstance, "reportingInstance", errs) ?? "";
    if (instance === "") errs.push(fieldErrors.required("reportingInstance"));
    if (instance.length > 128) errs.push(fieldErrors.invalid("reportingInstance", "", "can have at most 128 characters"));
    const action = readString(event.action, "action", errs) ?? "";
    if (action === "") errs.push(fieldErrors.required("action"));
    if (action.length > 128) errs.push(fieldErrors.invalid("action", "", "can have at most 128 characters"));
    const reason = readString(event.reason, "reason", errs) ?? "";
    if (reason === "") errs.push(fieldErrors.required("reason"));
    if (reason.length > 128) errs.push(fieldErrors.invalid("reason", "", "can have at most 128 characters"));
    const message = readString(event.message, "message", errs) ?? "";
    if (message.length > 1024) errs.push(fieldErrors.invalid("message", "", "can have at most 1024 characters"));
  }
  for (const msg of isDNS1123Subdomain(namespace)) errs.push(fieldErrors.invalid("namespace", namespace, msg));
  return errs;
}
