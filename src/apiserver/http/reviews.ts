/**
 * The review kinds, answered and never stored: authorization.k8s.io SelfSubjectAccessReview,
 * SubjectAccessReview, LocalSubjectAccessReview and SelfSubjectRulesReview (`kubectl auth can-i [--list]`), and
 * authentication.k8s.io SelfSubjectReview (`kubectl auth whoami`).
 */
import { fieldErrors, invalid, statusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import type { UserInfo } from "./auth.js";
import { mastersGroup } from "./authz.js";
import { rbacAllows, rulesFor, type AccessAttributes } from "./rbac-authorizer.js";

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function attributesOf(spec: Obj, user: UserInfo): AccessAttributes | undefined {
  const res = obj(spec.resourceAttributes);
  const non = obj(spec.nonResourceAttributes);
  if (Object.keys(res).length > 0) {
    return { user, verb: str(res.verb), group: str(res.group), resource: str(res.resource), subresource: str(res.subresource) || undefined, namespace: str(res.namespace) || undefined, name: str(res.name) || undefined };
  }
  if (Object.keys(non).length > 0) return { user, verb: str(non.verb), path: str(non.path) };
  return undefined;
}

async function decide(client: Client, attrs: AccessAttributes): Promise<boolean> {
  return attrs.user.groups.includes(mastersGroup) || await rbacAllows(client, attrs);
}

async function accessReview(client: Client, review: KubeObject, user: UserInfo, kind: string): Promise<KubeObject> {
  const spec = obj(review.spec);
  const attrs = attributesOf(spec, user);
  if (!attrs) {
    throw invalid({ group: "authorization.k8s.io", resource: "", kind }, "", [fieldErrors.invalid("spec.resourceAttributes", "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified")]);
  }
  const allowed = await decide(client, attrs);
  const status: Obj = { allowed };
  if (allowed) status.reason = attrs.user.groups.includes(mastersGroup) ? "" : "RBAC: allowed by a binding";
  if (status.reason === "") delete status.reason;
  return { ...review, metadata: { ...obj(review.metadata), creationTimestamp: null } as unknown as KubeObject["metadata"], status };
}

function subjectOf(spec: Obj): UserInfo {
  const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === "string") : [];
  const user = str(spec.user);
  if (user === "" && groups.length === 0) {
    throw invalid({ group: "authorization.k8s.io", resource: "", kind: "SubjectAccessReview" }, "", [fieldErrors.invalid("spec.user", "", "at least one of user or group must be specified")]);
  }
  return { name: user, groups };
}

async function rulesReview(client: Client, review: KubeObject, user: UserInfo): Promise<KubeObject> {
  const namespace = str(obj(review.spec).namespace);
  if (namespace === "") throw statusError(400, "BadRequest", "no namespace on request");
  const rules = user.groups.includes(mastersGroup)
    ? [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"], resourceNames: [], nonResourceURLs: [] }, { verbs: ["*"], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ["*"] }]
    : await rulesFor(client, user, namespace);
  const resourceRules = rules.filter((r) => r.nonResourceURLs.length === 0).map((r) => {
    const out: Obj = { verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources };
    if (r.resourceNames.length > 0) out.resourceNames = r.resourceNames;
    return out;
  });
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs.length > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return { ...review, metadata: { creationTimestamp: null } as unknown as KubeObject["metadata"], status: { resourceRules, nonResourceRules, incomplete: false } };
}

/** Answers a review of `kind` made by `user` (201 body); rules are read through `client`. */
export async function answerReview(client: Client, kind: string, review: KubeObject, user: UserInfo, namespace: string | undefined, now: Date): Promise<KubeObject> {
  switch (kind) {
    case "SelfSubjectAccessReview": return accessReview(client, review, user, kind);
    case "SubjectAccessReview": return accessReview(client, review, subjectOf(obj(review.spec)), kind);
    case "LocalSubjectAccessReview": {
      const spec = obj(review.spec);
      const res = obj(spec.resourceAttributes);
      if (str(res.namespace) !== (namespace ?? "")) {
        throw invalid({ group: "authorization.k8s.io", resource: "", kind }, "", [fieldErrors.invalid("spec.resourceAttributes.namespace", str(res.namespace), "must match metadata.namespace")]);
      }
      return accessReview(client, review, subjectOf(spec), kind);
    }
    case "SelfSubjectRulesReview": return rulesReview(client, review, user);
    case "SelfSubjectReview":
      return { ...review, metadata: { creationTimestamp: now.toISOString().replace(/\.\d{3}Z$/, "Z") }, status: { userInfo: { username: user.name, groups: user.groups, ...(user.uid ? { uid: user.uid } : {}) } } };
    default: throw statusError(404, "NotFound", "the server could not find the requested resource");
  }
}
