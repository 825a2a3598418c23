/**
 * Strategic-merge metadata (the `patchStrategy` / `patchMergeKey` struct tags upstream) for the
 * served kinds. Only fields whose metadata differs from plain JSON merge are listed: a field absent
 * here merges as a map if it is an object and is replaced whole if it is a list.
 */

/** Patch metadata of one field. */
export interface FieldPatchMeta {
  /** `merge`: list merged (by `mergeKey` for lists of objects, as a set for primitives); `replace`: value replaced whole. */
  readonly strategy?: "merge" | "replace";
  /** Field identifying list elements of a merged list of objects. */
  readonly mergeKey?: string;
  /** Schema of the field's object value, or of its elements for a list. */
  readonly type?: StructPatchMeta;
}

/** Patch metadata of the fields of one object type, by JSON field name. */
export interface StructPatchMeta { readonly [field: string]: FieldPatchMeta }

const byName = (type?: StructPatchMeta): FieldPatchMeta => ({ strategy: "merge", mergeKey: "name", type });
const byType: FieldPatchMeta = { strategy: "merge", mergeKey: "type" };
const primitiveSet: FieldPatchMeta = { strategy: "merge" };

const objectMeta: StructPatchMeta = {
  ownerReferences: { strategy: "merge", mergeKey: "uid" },
  finalizers: primitiveSet,
};

const container: StructPatchMeta = {
  ports: { strategy: "merge", mergeKey: "containerPort" },
  env: byName(),
  volumeMounts: { strategy: "merge", mergeKey: "mountPath" },
  volumeDevices: { strategy: "merge", mergeKey: "devicePath" },
};

const podSpec: StructPatchMeta = {
  volumes: byName(),
  initContainers: byName(container),
  containers: byName(container),
  ephemeralContainers: byName(container),
  imagePullSecrets: byName(),
  hostAliases: { strategy: "merge", mergeKey: "ip" },
  topologySpreadConstraints: { strategy: "merge", mergeKey: "topologyKey" },
  schedulingGates: byName(),
  resourceClaims: byName(),
};

const podStatus: StructPatchMeta = {
  conditions: byType,
  podIPs: { strategy: "merge", mergeKey: "ip" },
  hostIPs: { strategy: "merge", mergeKey: "ip" },
  resourceClaimStatuses: byName(),
};

const podTemplateSpec: StructPatchMeta = {
  metadata: { type: objectMeta },
  spec: { type: podSpec },
};

const withMetadata = (fields: StructPatchMeta = {}): StructPatchMeta => ({ metadata: { type: objectMeta }, ...fields });

const kinds: ReadonlyMap<string, StructPatchMeta> = new Map([
  ["/Pod", withMetadata({ spec: { type: podSpec }, status: { type: podStatus } })],
  ["/PodTemplate", withMetadata({ template: { type: podTemplateSpec } })],
  ["/Node", withMetadata({
    spec: { type: { podCIDRs: primitiveSet } },
    status: { type: { conditions: byType, addresses: byType } },
  })],
  ["/Namespace", withMetadata({ status: { type: { conditions: byType } } })],
  ["apps/DaemonSet", withMetadata({
    spec: { type: { template: { type: podTemplateSpec } } },
    status: { type: { conditions: byType } },
  })],
]);

/** The patch metadata of a kind; kinds without special fields get ObjectMeta's metadata only. */
export function patchMetaFor(kind: { apiVersion: string; kind: string }): StructPatchMeta {
  const slash = kind.apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : kind.apiVersion.slice(0, slash);
  return kinds.get(`${group}/${kind.kind}`) ?? withMetadata();
}
