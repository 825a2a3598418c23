/** Protobuf message layouts of the metadata types every kind embeds, and the layout model itself. */

/**
 * Leaf kinds: scalars, map entries (`stringMap`, `bytesMap` with base64 values, `quantityMap`), intstr.IntOrString
 * and resource.Quantity (its string form).
 */
export type Scalar = "string" | "int64" | "int32" | "bool" | "time" | "fieldsV1" | "stringMap" | "bytesMap" | "intOrString" | "quantity" | "quantityMap";
/** How one protobuf field maps to a JSON field. */
export interface FieldSpec {
  name: string;
  kind: Scalar | MessageSpec;
  repeated?: boolean;
  /** Go pointer fields: a present zero value is kept (omitempty drops zero values of the others). */
  keepZero?: boolean;
  /** A Go embedded struct: its fields are the parent's in JSON. */
  inline?: boolean;
}
export type MessageSpec = { readonly [field: number]: FieldSpec };

/** metav1.OwnerReference. */
const ownerReference: MessageSpec = {
  1: { name: "kind", kind: "string" }, 3: { name: "name", kind: "string" }, 4: { name: "uid", kind: "string" },
  5: { name: "apiVersion", kind: "string" }, 6: { name: "controller", kind: "bool", keepZero: true },
  7: { name: "blockOwnerDeletion", kind: "bool", keepZero: true },
};

/** metav1.ManagedFieldsEntry. */
const managedFieldsEntry: MessageSpec = {
  1: { name: "manager", kind: "string" }, 2: { name: "operation", kind: "string" }, 3: { name: "apiVersion", kind: "string" },
  4: { name: "time", kind: "time" }, 6: { name: "fieldsType", kind: "string" }, 7: { name: "fieldsV1", kind: "fieldsV1" },
  8: { name: "subresource", kind: "string" },
};

/** metav1.ObjectMeta. */
export const objectMeta: MessageSpec = {
  1: { name: "name", kind: "string" }, 2: { name: "generateName", kind: "string" }, 3: { name: "namespace", kind: "string" },
  4: { name: "selfLink", kind: "string" }, 5: { name: "uid", kind: "string" }, 6: { name: "resourceVersion", kind: "string" },
  7: { name: "generation", kind: "int64" }, 8: { name: "creationTimestamp", kind: "time" }, 9: { name: "deletionTimestamp", kind: "time" },
  10: { name: "deletionGracePeriodSeconds", kind: "int64", keepZero: true }, 11: { name: "labels", kind: "stringMap" },
  12: { name: "annotations", kind: "stringMap" }, 13: { name: "ownerReferences", kind: ownerReference, repeated: true },
  14: { name: "finalizers", kind: "string", repeated: true }, 17: { name: "managedFields", kind: managedFieldsEntry, repeated: true },
};

/** core/v1 ObjectReference. */
export const objectReference: MessageSpec = {
  1: { name: "kind", kind: "string" }, 2: { name: "namespace", kind: "string" }, 3: { name: "name", kind: "string" },
  4: { name: "uid", kind: "string" }, 5: { name: "apiVersion", kind: "string" }, 6: { name: "resourceVersion", kind: "string" },
  7: { name: "fieldPath", kind: "string" },
};


/** metav1.LabelSelector. */
export const labelSelector: MessageSpec = {
  1: { name: "matchLabels", kind: "stringMap" },
  2: { name: "matchExpressions", kind: { 1: { name: "key", kind: "string" }, 2: { name: "operator", kind: "string" }, 3: { name: "values", kind: "string", repeated: true } }, repeated: true },
};
