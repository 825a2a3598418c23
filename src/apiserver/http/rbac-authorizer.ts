/**
 * The RBAC authorizer (upstream's plugin/pkg/auth/authorizer/rbac): allow-only rules from the ClusterRoles
 * bound by ClusterRoleBindings and the Roles or ClusterRoles bound by RoleBindings of the request's namespace,
 * matched against the user's name, groups and ServiceAccount identity.
 */
import { mustFindResource } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import type { UserInfo } from "./auth.js";

/** One rbac/v1 PolicyRule (absent lists are empty). */
export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

/** What is asked: a resource request (group, resource, ...) or a non-resource one (path). */
export interface AccessAttributes {
  user: UserInfo;
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Set for non-resource requests. */
  path?: string;
}

const rbac = "rbac.authorization.k8s.io";

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function toRule(v: unknown): PolicyRule | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const r = v as Record<string, unknown>;
  return { verbs: strings(r.verbs), apiGroups: strings(r.apiGroups), resources: strings(r.resources), resourceNames: strings(r.resourceNames), nonResourceURLs: strings(r.nonResourceURLs) };
}

function subjectMatches(subject: unknown, user: UserInfo, bindingNamespace: string | undefined): boolean {
  if (typeof subject !== "object" || subject === null) return false;
  const s = subject as Record<string, unknown>;
  const name = typeof s.name === "string" ? s.name : "";
  switch (s.kind) {
    case "User": return user.name === name;
    case "Group": return user.groups.includes(name);
    case "ServiceAccount": {
      const ns = typeof s.namespace === "string" && s.namespace !== "" ? s.namespace : bindingNamespace ?? "";
      return user.name === `system:serviceaccount:${ns}:${name}`;
    }
    default: return false;
  }
}

async function getOrUndefined(client: Client, resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.get<KubeObject>(mustFindResource(rbac, resource), namespace, name);
  } catch (error) {
    if (error instanceof StatusError && error.code === 404) return undefined;
    throw error;
  }
}

/** The rules of a Role or ClusterRole object (malformed entries skipped). */
export function rulesOf(role: KubeObject | undefined): PolicyRule[] {
  return (Array.isArray(role?.rules) ? role.rules : []).map(toRule).filter((r): r is PolicyRule => r !== undefined);
}

async function rulesOfBinding(client: Client, binding: KubeObject, namespace: string | undefined): Promise<PolicyRule[]> {
  const ref = (binding.roleRef ?? {}) as Record<string, unknown>;
  const name = typeof ref.name === "string" ? ref.name : "";
  const role = ref.kind === "Role" && namespace !== undefined
    ? await getOrUndefined(client, "roles", namespace, name)
    : ref.kind === "ClusterRole" ? await getOrUndefined(client, "clusterroles", undefined, name) : undefined;
  return rulesOf(role);
}

/** Every rule granted to `user` cluster-wide, plus in `namespace` when given. */
export async function rulesFor(client: Client, user: UserInfo, namespace: string | undefined): Promise<PolicyRule[]> {
  const out: PolicyRule[] = [];
  for (const b of (await client.list(mustFindResource(rbac, "clusterrolebindings"), undefined)).items) {
    if (Array.isArray(b.subjects) && b.subjects.some((s) => subjectMatches(s, user, undefined))) out.push(...await rulesOfBinding(client, b, undefined));
  }
  if (namespace) {
    for (const b of (await client.list(mustFindResource(rbac, "rolebindings"), namespace)).items) {
      if (Array.isArray(b.subjects) && b.subjects.some((s) => subjectMatches(s, user, namespace))) out.push(...await rulesOfBinding(client, b, namespace));
    }
  }
  return out;
}

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.includes("*") || rule.verbs.includes(verb);
}

/** True when `rule` allows the request `attrs` describes. */
export function ruleAllows(rule: PolicyRule, attrs: AccessAttributes): boolean {
  if (!verbMatches(rule, attrs.verb)) return false;
  if (attrs.path !== undefined) {
    return rule.nonResourceURLs.some((u) => u === "*" || u === attrs.path || (u.endsWith("*") && attrs.path?.startsWith(u.slice(0, -1))));
  }
  const group = attrs.group ?? "";
  if (!rule.apiGroups.includes("*") && !rule.apiGroups.includes(group)) return false;
  const resource = attrs.resource ?? "";
  const combined = attrs.subresource ? `${resource}/${attrs.subresource}` : resource;
  const resourceOk = rule.resources.some((r) => r === "*" || r === combined || (attrs.subresource !== undefined && r === `*/${attrs.subresource}`));
  if (!resourceOk) return false;
  if (rule.resourceNames.length === 0) return true;
  return attrs.name !== undefined && attrs.name !== "" && rule.resourceNames.includes(attrs.name);
}

/** True when RBAC allows the request. */
export async function rbacAllows(client: Client, attrs: AccessAttributes): Promise<boolean> {
  const rules = await rulesFor(client, attrs.user, attrs.path === undefined ? attrs.namespace : undefined);
  return rules.some((r) => ruleAllows(r, attrs));
}
