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
