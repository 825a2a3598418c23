import type { ResourceInfo } from "../../api/resources.js";
import { badRequest } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { printTable, printTableRow } from "../printers/index.js";
import { jsonArrayChunks } from "./json-chunks.js";
import { queryString } from "./query.js";

/** How the client asked for a meta.k8s.io Table. */
export interface TableRequest {
  version: "v1" | "v1beta1";
  includeObject: "None" | "Metadata" | "Object";
  now: Date;
}

const includeObjectValues = ["None", "Metadata", "Object"] as const;

/** The Table request of a GET when Accept asked for `version`; `includeObject` defaults to Metadata, unknown values → 400. */
export function tableRequest(query: URLSearchParams, version: "v1" | "v1beta1", now: Date): TableRequest {
  const raw = queryString(query, "includeObject") ?? "";
  const includeObject = raw === "" ? "Metadata" : includeObjectValues.find((v) => v === raw);
  if (!includeObject) throw badRequest(`unrecognized includeObject value: ${JSON.stringify(raw)}`);
  return { version, includeObject, now };
}

/** Renders objects as a Table of the requested version (its rows' PartialObjectMetadata of that version too). */
export function tableOf(resource: ResourceInfo, objects: KubeObject[], req: TableRequest, meta: { resourceVersion?: string | undefined; continue?: string | undefined }): object {
  const options: Parameters<typeof printTable>[2] = { now: req.now, includeObject: req.includeObject, version: req.version };
  if (meta.resourceVersion) options.resourceVersion = meta.resourceVersion;
  if (meta.continue) options.continue = meta.continue;
  return printTable(resource, objects, options);
}

/** The UTF-8 JSON of tableOf(...) and a newline, in chunks; each row is printed when its chunk is asked for. */
export function tableChunks(resource: ResourceInfo, objects: readonly KubeObject[], req: TableRequest, meta: { resourceVersion?: string | undefined; continue?: string | undefined }): Iterable<Uint8Array> {
  const envelope = tableOf(resource, [], req, meta) as Record<string, unknown>;
  const options = { now: req.now, includeObject: req.includeObject, version: req.version };
  return jsonArrayChunks(envelope, "rows", objects, (o) => JSON.stringify(printTableRow(resource, o, options)));
}
