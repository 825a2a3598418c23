import { statusError } from "../../api/status-error.js";
import { OpenApiDocuments } from "../openapi/index.js";
import { encodeSwagger, openApiV2Protobuf } from "../openapi/swagger-protobuf.js";
import { swaggerDocument } from "../openapi/swagger.js";
import type { Reply } from "./reply.js";

/** 404 as upstream answers paths it does not serve. */
export function notFoundPath(): Reply {
  const err = statusError(404, "NotFound", "the server could not find the requested resource", {});
  return { kind: "object", code: 404, body: err.status };
}

/** Serves /openapi/v3 and /openapi/v2 from documents serialized once. */
export class OpenApiEndpoint {
  private readonly documents = new OpenApiDocuments();
  private v2: { json: string; protobuf: Uint8Array } | undefined;

  /** `GET /openapi/v2`: the Swagger 2.0 document, in protobuf when the client asks for it (as kubectl does), else JSON. */
  swagger(accept: string | undefined): Reply {
    this.v2 ??= (() => {
      const doc = swaggerDocument();
      return { json: JSON.stringify(doc), protobuf: encodeSwagger(doc) };
    })();
    // As kube-apiserver: the protobuf media type is not a valid Content-Type (Go's mime parser rejects the "@").
    if ((accept ?? "").includes(openApiV2Protobuf)) return { kind: "raw", code: 200, body: this.v2.protobuf, contentType: "application/octet-stream" };
    return { kind: "raw", code: 200, body: this.v2.json, contentType: "application/json" };
  }

  /** `GET /openapi/v3`: the index of group-version documents with their content hashes. */
  index(): Reply {
    return { kind: "raw", code: 200, body: this.documents.indexJson(), contentType: "application/json" };
  }

  /**
   * `GET /openapi/v3/<api/v1 | apis/<group>/<version>>`: the document (ETag = its hash). With `?hash=`, a
   * matching hash is cached as immutable and a stale one redirects to the current URL, as upstream does.
   */
  document(groupVersion: string, query: URLSearchParams, path: string): Reply {
    const json = this.documents.documentJson(groupVersion);
    const hash = this.documents.documentHash(groupVersion);
    if (json === undefined || hash === undefined) return notFoundPath();
    const asked = query.get("hash");
    if (asked !== null && asked !== hash) {
      const next = new URLSearchParams(query);
      next.set("hash", hash);
      return { kind: "raw", code: 301, body: "", contentType: "text/plain; charset=utf-8", headers: { Location: `${path}?${next.toString()}` } };
    }
    const headers: Record<string, string> = { ETag: `"${hash}"` };
    if (asked !== null) {
      headers["Cache-Control"] = "public, immutable";
      headers.Expires = new Date(Date.now() + 365 * 86_400_000).toUTCString();
    }
    return { kind: "raw", code: 200, body: json, contentType: "application/json", headers };
  }
}
