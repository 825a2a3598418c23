/** Opaque continue tokens of paginated lists: the revision of the first page and the key to resume at. */
import { badRequest } from "../../api/status-error.js";

/** Decoded content of a continue token. */
export interface ContinueToken {
  /** Revision every page of the list is read at. */
  revision: number;
  /** Key (relative to the resource's storage prefix) to resume at, inclusive. */
  start: string;
}

/** Encodes a token: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"..."}`. */
export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: token.revision, start: token.start })).toString("base64url");
}

/** Decodes a token; 400 BadRequest when malformed. */
export function decodeContinue(value: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw badRequest("continue key is not valid: illegal base64 data or JSON");
  }
  if (typeof parsed !== "object" || parsed === null) throw badRequest("continue key is not valid: not an object");
  const { v, rv, start } = parsed as Record<string, unknown>;
  if (v !== "meta.k8s.io/v1") throw badRequest("continue key is not valid: server does not recognize this encoded version");
  if (typeof rv !== "number" || !Number.isSafeInteger(rv) || rv <= 0) throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  if (typeof start !== "string" || start === "") throw badRequest("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
  return { revision: rv, start };
}
