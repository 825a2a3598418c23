/** Authorization of non-resource paths such as `/metrics`, with upstream's 403 wording. */
import { statusError } from "../../api/status-error.js";
import type { UserInfo } from "./auth.js";
import { mastersGroup } from "./authz.js";

/** Allows `user` to `verb` (lowercase, e.g. `get`) the non-resource `path`, or throws a 403 StatusError. */
export type NonResourceAuthorizer = (user: UserInfo, verb: string, path: string) => void | Promise<void>;

/** 403 as upstream words a denied non-resource request: `forbidden: User "<user>" cannot <verb> path "<path>"`. */
export function nonResourceDenied(user: UserInfo, verb: string, path: string): ReturnType<typeof statusError> {
  return statusError(403, "Forbidden", `forbidden: User "${user.name}" cannot ${verb} path "${path}"`);
}

/** The default: members of system:masters may read every non-resource path; nobody else may. */
export const authorizeNonResource: NonResourceAuthorizer = (user, verb, path) => {
  if (!user.groups.includes(mastersGroup)) throw nonResourceDenied(user, verb, path);
};
