/**
 * core/v1 ConfigMap, Secret and ServiceAccount validation, as upstream's ValidateConfigMap, ValidateSecret
 * and ValidateServiceAccount (with their Update variants) report it.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { semanticEqual } from "./equality.js";
import { byteLength, maxLenError, nameIsDNSSubdomain, regexError } from "./names.js";
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { type Obj, isObj, readBool, readObjList, readString, readStringMap, sortedKeys } from "./shape.js";

/** Upstream's limit on the total size of a ConfigMap's or Secret's data. */
export const maxDataSize = 1024 * 1024;

const configKeyFmt = "[-._a-zA-Z0-9]+";
const configKeyRe = new RegExp(`^${configKeyFmt}$`);

/** IsConfigMapKey: the messages for a bad ConfigMap/Secret data key (empty when valid). */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (byteLength(key) > 253) errs.push(maxLenError(253));
  if (!configKeyRe.test(key)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configKeyFmt, "key.name", "KEY_NAME", "key-name"));
  if (key === ".") errs.push("must not be '.'");
  else if (key === "..") errs.push("must not be '..'");
  else if (key.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

function checkKeys(map: Record<string, string>, path: string, errs: FieldError[]): void {
  for (const key of sortedKeys(map)) {
    for (const msg of isConfigMapKey(key)) errs.push(fieldErrors.invalid(`${path}[${key}]`, key, msg));
  }
}

/** Bytes a base64 value decodes to (values are checked for base64 at decoding). */
function decodedSize(value: string): number {
  return Buffer.from(value, "base64").length;
}

function immutableErrors(obj: Obj, old: Obj, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable !== true) return errs;
  const detail = "field is immutable when `immutable` is set";
  if (obj.immutable !== true) errs.push(fieldErrors.forbidden("immutable", detail));
  for (const f of fields) {
    if (!semanticEqual(obj[f] ?? {}, old[f] ?? {})) errs.push(fieldErrors.forbidden(f, detail));
  }
  return errs;
}

function configMapBody(cm: Obj, errs: FieldError[]): void {
  const data = readStringMap(cm.data, "data", errs) ?? {};
  const binary = readStringMap(cm.binaryData, "binaryData", errs) ?? {};
  readBool(cm.immutable, "immutable", errs);
  checkKeys(data, "data", errs);
  checkKeys(binary, "binaryData", errs);
  let total = 0;
  for (const v of Object.values(data)) total += byteLength(v);
  for (const [k, v] of Object.entries(binary)) {
    if (Object.hasOwn(data, k)) errs.push(fieldErrors.invalid(`binaryData[${k}]`, k, "duplicate of key present in data"));
    total += decodedSize(v);
  }
  if (total > maxDataSize) errs.push(fieldErrors.tooLong("", maxDataSize));
}

/** Validates a ConfigMap being created. */
export function validateConfigMap(cm: Obj): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  configMapBody(cm, errs);
  return errs;
}

/** Validates an update of a ConfigMap (an immutable one keeps its data). */
export function validateConfigMapUpdate(cm: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata);
  errs.push(...immutableErrors(cm, old, ["data", "binaryData"]));
  configMapBody(cm, errs);
  return errs;
}

/** Keys each well-known Secret type requires in its data. */
const requiredSecretKeys: Record<string, string[]> = {
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
};

/** The annotation naming the ServiceAccount of a legacy token Secret. */
export const serviceAccountNameAnnotation = "kubernetes.io/service-account.name";

function secretTypeErrors(secret: Obj, type: string, data: Record<string, string>): FieldError[] {
  const errs: FieldError[] = [];
  if (type === "kubernetes.io/service-account-token") {
    const meta = isObj(secret.metadata) ? secret.metadata : {};
    const name = isObj(meta.annotations) ? meta.annotations[serviceAccountNameAnnotation] : undefined;
    if (typeof name !== "string" || name === "") errs.push(fieldErrors.required(`metadata.annotations[${serviceAccountNameAnnotation}]`));
  }
  if (type === "kubernetes.io/basic-auth" && !Object.hasOwn(data, "username") && !Object.hasOwn(data, "password")) {
    errs.push(fieldErrors.required("data[username]"), fieldErrors.required("data[password]"));
  }
  for (const key of requiredSecretKeys[type] ?? []) {
    if (!Object.hasOwn(data, key)) errs.push(fieldErrors.required(`data[${key}]`));
  }
  for (const key of [".dockercfg", ".dockerconfigjson"]) {
    const value = data[key];
    if (value === undefined || requiredSecretKeys[type]?.[0] !== key) continue;
    try {
      JSON.parse(Buffer.from(value, "base64").toString("utf8"));
    } catch (e) {
      errs.push({ type: "FieldValueInvalid", field: `data[${key}]`, detail: `Invalid value: "<secret contents redacted>": ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return errs;
}

function secretBody(secret: Obj, errs: FieldError[]): void {
  const data = readStringMap(secret.data, "data", errs) ?? {};
  readBool(secret.immutable, "immutable", errs);
  const type = readString(secret.type, "type", errs) ?? "";
  checkKeys(data, "data", errs);
  let total = 0;
  for (const v of Object.values(data)) total += decodedSize(v);
  if (total > maxDataSize) errs.push(fieldErrors.tooLong("data", maxDataSize));
  errs.push(...secretTypeErrors(secret, type, data));
}

/** Validates a Secret being created (stringData is already merged into data). */
export function validateSecret(secret: Obj): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  secretBody(secret, errs);
  return errs;
}

/** Validates an update of a Secret: type is immutable, and so is the data of an immutable Secret. */
export function validateSecretUpdate(secret: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata);
  errs.push(...validateImmutable(secret.type, old.type, "type"));
  errs.push(...immutableErrors(secret, old, ["data"]));
  secretBody(secret, errs);
  return errs;
}

function serviceAccountBody(sa: Obj, errs: FieldError[]): void {
  readBool(sa.automountServiceAccountToken, "automountServiceAccountToken", errs);
  readObjList(sa.secrets, "secrets", errs);
  readObjList(sa.imagePullSecrets, "imagePullSecrets", errs);
}

/** Validates a ServiceAccount being created. */
export function validateServiceAccount(sa: Obj): FieldError[] {
  const errs = validateObjectMeta(sa.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  serviceAccountBody(sa, errs);
  return errs;
}

/** Validates an update of a ServiceAccount. */
export function validateServiceAccountUpdate(sa: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(sa.metadata, old.metadata);
  serviceAccountBody(sa, errs);
  return errs;
}
