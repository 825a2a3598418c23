/**
 * Pod volumes: unique DNS-label names and exactly one volume source, with checks for the common sources
 * (hostPath, emptyDir, configMap, secret, persistentVolumeClaim, nfs, downwardAPI, projected, csi).
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { isDNS1123Label } from "./names.js";
import { readQuantity } from "./resources.js";
import { type Obj, isAbsent, readInt, readObj, readObjList, readString } from "./shape.js";

/** Volume source fields in upstream's checking order, with the path segment used when a second one is set. */
const volumeSources: ReadonlyArray<readonly [field: string, forbiddenSegment: string]> = [
  ["emptyDir", "emptyDir"], ["hostPath", "hostPath"], ["gitRepo", "gitRepo"], ["gcePersistentDisk", "gcePersistentDisk"],
  ["awsElasticBlockStore", "awsElasticBlockStore"], ["secret", "secret"], ["nfs", "nfs"], ["iscsi", "iscsi"],
  ["glusterfs", "glusterfs"], ["flocker", "flocker"], ["persistentVolumeClaim", "persistentVolumeClaim"], ["rbd", "rbd"],
  ["cinder", "cinder"], ["cephfs", "cephFS"], ["quobyte", "quobyte"], ["downwardAPI", "downwarAPI"], ["fc", "fc"],
  ["flexVolume", "flexVolume"], ["configMap", "configMap"], ["azureFile", "azureFile"], ["vsphereVolume", "vsphereVolume"],
  ["photonPersistentDisk", "photonPersistentDisk"], ["portworxVolume", "portworxVolume"], ["azureDisk", "azureDisk"],
  ["storageos", "storageos"], ["projected", "projected"], ["scaleIO", "scaleIO"], ["csi", "csi"], ["ephemeral", "ephemeral"],
  ["image", "image"],
];

/** The names of all volume source fields. */
export const volumeSourceFields: readonly string[] = volumeSources.map(([f]) => f);

const hostPathTypes = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];
const fileModeError = "must be a number between 0 and 0777 (octal), both inclusive";

/** `must not contain '..'` when any path element is `..`. */
export function validatePathNoBacksteps(p: string, path: string): FieldError[] {
  return p.split("/").includes("..") ? [fieldErrors.invalid(path, p, "must not contain '..'")] : [];
}

/** A relative path without `..` elements. */
export function validateLocalDescendingPath(p: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith("/")) errs.push(fieldErrors.invalid(path, p, "must be a relative path"));
  errs.push(...validatePathNoBacksteps(p, path));
  return errs;
}

function validateMode(v: unknown, path: string, errs: FieldError[]): void {
  const mode = readInt(v, path, errs);
  if (mode !== undefined && (mode < 0 || mode > 0o777)) errs.push(fieldErrors.invalid(path, mode, fileModeError));
}

function validateKeyToPathItems(items: unknown, path: string, errs: FieldError[]): void {
  (readObjList(items, path, errs) ?? []).forEach((item, i) => {
    if (!item) return;
    const p = `${path}[${i}]`;
    const key = readString(item.key, `${p}.key`, errs) ?? "";
    const itemPath = readString(item.path, `${p}.path`, errs) ?? "";
    if (key === "") errs.push(fieldErrors.required(`${p}.key`));
    if (itemPath === "") errs.push(fieldErrors.required(`${p}.path`));
    errs.push(...validateLocalDescendingPath(itemPath, `${p}.path`));
    if (itemPath.startsWith("..") && !itemPath.startsWith("../")) errs.push(fieldErrors.invalid(`${p}.path`, itemPath, "must not start with '..'"));
    validateMode(item.mode, `${p}.mode`, errs);
  });
}

function requireString(o: Obj, key: string, path: string, errs: FieldError[]): string {
  const v = readString(o[key], `${path}.${key}`, errs);
  if ((v ?? "") === "" && (isAbsent(o[key]) || v === "")) errs.push(fieldErrors.required(`${path}.${key}`));
  return v ?? "";
}

function validateSource(field: string, src: Obj, path: string, errs: FieldError[]): void {
  switch (field) {
    case "emptyDir": {
      if (!isAbsent(src.sizeLimit)) {
        const q = readQuantity(src.sizeLimit, `${path}.sizeLimit`, errs);
        if (q && q.nanos < 0n) errs.push(fieldErrors.forbidden(`${path}.sizeLimit`, "SizeLimit field must be a valid resource quantity"));
      }
      readString(src.medium, `${path}.medium`, errs);
      return;
    }
    case "hostPath": {
      const p = requireString(src, "path", path, errs);
      if (p === "") return;
      errs.push(...validatePathNoBacksteps(p, `${path}.path`));
      const type = readString(src.type, `${path}.type`, errs);
      if (type !== undefined && !hostPathTypes.includes(type)) errs.push(fieldErrors.notSupported(`${path}.type`, type, hostPathTypes));
      return;
    }
    case "secret":
      requireString(src, "secretName", path, errs);
      validateMode(src.defaultMode, `${path}.defaultMode`, errs);
      validateKeyToPathItems(src.items, `${path}.items`, errs);
      return;
    case "configMap":
      requireString(src, "name", path, errs);
      validateMode(src.defaultMode, `${path}.defaultMode`, errs);
      validateKeyToPathItems(src.items, `${path}.items`, errs);
      return;
    case "persistentVolumeClaim":
      requireString(src, "claimName", path, errs);
      return;
    case "nfs": {
      requireString(src, "server", path, errs);
      const p = requireString(src, "path", path, errs);
      if (!p.startsWith("/")) errs.push(fieldErrors.invalid(`${path}.path`, p, "must be an absolute path"));
      return;
    }
    case "downwardAPI":
    case "projected":
      validateMode(src.defaultMode, `${path}.defaultMode`, errs);
      return;
    case "csi":
      requireString(src, "driver", path, errs);
      return;
    case "gitRepo":
      requireString(src, "repository", path, errs);
      return;
    default:
      return;
  }
}

/** Validates spec.volumes; returns the volumes that validated, by name, for volumeMount checks. */
export function validateVolumes(volumes: unknown, path: string): { volumes: Map<string, Obj>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const byName = new Map<string, Obj>();
  (readObjList(volumes, path, errs) ?? []).forEach((vol, i) => {
    if (!vol) return;
    const idxPath = `${path}[${i}]`;
    const namePath = `${idxPath}.name`;
    const el: FieldError[] = [];
    let count = 0;
    for (const [field, forbiddenSegment] of volumeSources) {
      if (isAbsent(vol[field])) continue;
      const src = readObj(vol[field], `${idxPath}.${field}`, el);
      if (!src) continue;
      if (count > 0) {
        el.push(fieldErrors.forbidden(`${idxPath}.${forbiddenSegment}`, "may not specify more than 1 volume type"));
        continue;
      }
      count++;
      validateSource(field, src, `${idxPath}.${field}`, el);
    }
    if (count === 0) el.push(fieldErrors.required(idxPath, "must specify a volume type"));
    const name = readString(vol.name, namePath, el);
    if (name === undefined || name === "") {
      if (isAbsent(vol.name) || name === "") el.push(fieldErrors.required(namePath));
    } else {
      for (const msg of isDNS1123Label(name)) el.push(fieldErrors.invalid(namePath, name, msg));
    }
    if (name !== undefined && byName.has(name)) el.push(fieldErrors.duplicate(namePath, name));
    if (el.length === 0 && name !== undefined) byName.set(name, vol);
    else errs.push(...el);
  });
  return { volumes: byName, errs };
}
