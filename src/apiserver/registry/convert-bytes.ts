/**
 * The decoding of []byte fields as kube-apiserver's conversion does it: Secret `data` and ConfigMap
 * `binaryData` must be standard base64 (400 otherwise), and a Secret's write-only `stringData` is merged
 * into `data` (its keys winning) and never stored.
 */
import { canonicalBase64 } from "../../api/base64.js";
import type { ResourceInfo } from "../../api/resources.js";
import { badRequest } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { isObject } from "./codec.js";

function canonicalMap(map: unknown, prefix: string): void {
  if (!isObject(map)) return;
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== "string") continue;
    try {
      map[key] = canonicalBase64(value);
    } catch (e) {
      throw badRequest(`${prefix}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** Converts the byte fields of a decoded Secret or ConfigMap in place; other kinds are left alone. */
export function convertByteFields(info: ResourceInfo, object: KubeObject): void {
  if (info.group !== "") return;
  const prefix = `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}`;
  if (info.resource === "configmaps") canonicalMap(object.binaryData, prefix);
  if (info.resource !== "secrets") return;
  canonicalMap(object.data, prefix);
  const stringData = object.stringData;
  delete object.stringData;
  if (!isObject(stringData)) return;
  const data: Record<string, unknown> = isObject(object.data) ? object.data : {};
  for (const [key, value] of Object.entries(stringData)) {
    if (typeof value === "string") data[key] = Buffer.from(value, "utf8").toString("base64");
  }
  object.data = data;
}
