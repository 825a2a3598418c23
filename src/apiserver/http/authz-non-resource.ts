/** Authorization of non-resource paths such as `/metrics`, with upstream's 403 wording. */
import { statusError } from "../../api/status-error.js";
import type { Client } from "../../client/client.js";
import type { UserInfo } from "./auth.js";
import { mastersGroup } from "./authz.js";
import { rbacAllows } from "./rbac-authorizer.js";

/** Allows `user` to `verb` (lowercase, e.g. `get`) the non-resource `path`, or throws a 403 StatusError. */
export type NonResourceAuthorizer = (user: UserInfo, verb: string, path: string) => void | Promise<void>;

/** 403 as upstream words a denied non-resource request: `forbidden: User "<user>" cannot <verb> path "<path>"`. */
export function nonResourceDenied(user: UserInfo, verb: string, path: string): ReturnType<typeof statusError> {
  return statusError(403, "Forbidden", `forbidden: User "${user.name}" cannot ${verb} path "${path}"`);
}

/** The default without RBAC: members of system:masters may read every non-resource path; nobody else may. */
export const authorizeNonResource: NonResourceAuthorizer = (user, verb, path) => {
  if (!user.groups.includes(mastersGroup)) throw nonResourceDenied(user, verb, path);
};

/**
 * Members of system:masters, and everyone a ClusterRole bound by a ClusterRoleBinding grants `verb` on the path
 * (`nonResourceURLs`, e.g. `["/metrics"]`), as upstream's RBAC authorizer decides non-resource requests.
 */
export function rbacNonResourceAuthorizer(client: Client): NonResourceAuthorizer {
  return async (user, verb, path) => {
    if (user.groups.includes(mastersGroup)) return;
    if (!(await rbacAllows(client, { user, verb, path }))) throw nonResourceDenied(user, verb, path);
  };
}
