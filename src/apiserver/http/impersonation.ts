/**
 * Impersonation headers, as kube-apiserver's impersonation filter reads them: `Impersonate-User`,
 * `Impersonate-Group` (repeatable), `Impersonate-Uid` and `Impersonate-Extra-<key>`. Each needs the `impersonate`
 * verb on what it names (users, groups, serviceaccounts for `system:serviceaccount:NS:NAME`, uids and userextras in
 * authentication.k8s.io); the request is then served as the impersonated user.
 */
import type { IncomingHttpHeaders } from "node:http";
import { badRequest, forbidden } from "../../api/status-error.js";
import type { Client } from "../../client/client.js";
import type { UserInfo } from "./auth.js";
import { mastersGroup } from "./authz.js";
import { rbacAllows, type AccessAttributes } from "./rbac-authorizer.js";

const serviceAccountPrefix = "system:serviceaccount:";

function values(headers: IncomingHttpHeaders, name: string): string[] {
  const v = headers[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** One thing the caller asks to impersonate, as an authorization check. */
interface Target { resource: string; group: string; name: string; namespace?: string; subresource?: string }

function userTarget(name: string): Target {
  if (name.startsWith(serviceAccountPrefix)) {
    const [namespace = "", saName = ""] = name.slice(serviceAccountPrefix.length).split(":");
    if (namespace !== "" && saName !== "") return { resource: "serviceaccounts", group: "", name: saName, namespace };
  }
  return { resource: "users", group: "", name };
}

function deniedMessage(user: UserInfo, t: Target): string {
  const resource = t.subresource ? `${t.resource}/${t.subresource}` : t.resource;
  const scope = t.namespace ? `in the namespace "${t.namespace}"` : "at the cluster scope";
  return `User "${user.name}" cannot impersonate resource "${resource}" in API group "${t.group}" ${scope}`;
}

async function allowed(client: Client, user: UserInfo, t: Target): Promise<boolean> {
  if (user.groups.includes(mastersGroup)) return true;
  const attrs: AccessAttributes = { user, verb: "impersonate", group: t.group, resource: t.resource, subresource: t.subresource, namespace: t.namespace, name: t.name };
  return rbacAllows(client, attrs);
}

/**
 * The user a request is served as: `user` itself when it carries no impersonation headers, else the impersonated
 * user once every part is allowed (403 naming the first part that is not; 400 for groups, uid or extras without a
 * user). Groups of an impersonated ServiceAccount include its ServiceAccount groups; `system:authenticated` is added
 * unless impersonating `system:anonymous`.
 */
export async function impersonatedUser(headers: IncomingHttpHeaders, user: UserInfo, client: Client): Promise<UserInfo> {
  const names = values(headers, "impersonate-user");
  const groups = values(headers, "impersonate-group");
  const uids = values(headers, "impersonate-uid");
  const extraKeys = Object.keys(headers).filter((h) => h.startsWith("impersonate-extra-"));
  if (names.length === 0) {
    if (groups.length > 0 || uids.length > 0 || extraKeys.length > 0) {
      const asked = [...groups.map((g) => `group ${g}`), ...uids.map((u) => `uid ${u}`), ...extraKeys.map((k) => `extra ${k.slice("impersonate-extra-".length)}`)];
      throw badRequest(`requested [${asked.join(" ")}] without impersonating a user`);
    }
    return user;
  }
  const name = names[0] ?? "";
  const targets: Target[] = [userTarget(name), ...groups.map((g) => ({ resource: "groups", group: "", name: g }))];
  for (const uid of uids) targets.push({ resource: "uids", group: "authentication.k8s.io", name: uid });
  for (const key of extraKeys) {
    for (const value of values(headers, key)) targets.push({ resource: "userextras", group: "authentication.k8s.io", subresource: decodeURIComponent(key.slice("impersonate-extra-".length)), name: value });
  }
  for (const t of targets) {
    if (!await allowed(client, user, t)) throw forbidden({ group: t.group, resource: t.resource, kind: t.resource }, t.name, deniedMessage(user, t));
  }
  const outGroups = [...groups];
  const sa = userTarget(name);
  if (sa.resource === "serviceaccounts") {
    for (const g of ["system:serviceaccounts", `system:serviceaccounts:${sa.namespace ?? ""}`]) if (!outGroups.includes(g)) outGroups.push(g);
  }
  if (name !== "system:anonymous" && !outGroups.includes("system:authenticated")) outGroups.push("system:authenticated");
  return { name, groups: outGroups, ...(uids[0] !== undefined ? { uid: uids[0] } : {}) };
}
