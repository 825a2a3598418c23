import type { IncomingMessage } from "node:http";
import { statusError, type StatusError } from "../../api/status-error.js";

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or another scheme. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  return m?.[1];
}

/** 401 as upstream answers unauthenticated requests. */
export function unauthorized(): StatusError {
  return statusError(401, "Unauthorized", "Unauthorized");
}

/** Who a request is made by: a user name and the groups it belongs to. */
export interface UserInfo {
  name: string;
  groups: string[];
  /** A unique id of the user, when the authenticator knows one. */
  uid?: string;
}

/** The groups of an authenticated user: its own plus `system:authenticated`, as every authenticated request gets. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  return user.groups.includes("system:authenticated") ? user : { ...user, groups: [...user.groups, "system:authenticated"] };
}

/** The identity of requests that carried no usable identity. */
export const anonymousUser: UserInfo = { name: "system:anonymous", groups: ["system:unauthenticated"] };

/**
 * Decides who made a request, from its bearer token (undefined when none was sent) or the request itself (e.g. its
 * client certificate): a user; `true` to admit it without an identity (treated as anonymous by authorization);
 * `false`/undefined to refuse it (401).
 */
export type Authenticator = (token: string | undefined, request?: IncomingMessage) => UserInfo | boolean | undefined | Promise<UserInfo | boolean | undefined>;
