/**
 * Protobuf message layouts (field numbers from upstream's generated.proto) of the kinds kubectl's `create`
 * subcommands send as protobuf: ConfigMap, Secret, ServiceAccount, Service, PriorityClass, the RBAC kinds,
 * TokenRequest and the access and identity reviews; and Pod (pod-messages.ts), which `kubectl debug` creates.
 */
import { labelSelector, type MessageSpec, objectMeta, objectReference } from "./meta-messages.js";
import { podMessage } from "./pod-messages.js";

const configMap: MessageSpec = {
  1: { name: "metadata", kind: objectMeta }, 2: { name: "data", kind: "stringMap" }, 3: { name: "binaryData", kind: "bytesMap" },
  4: { name: "immutable", kind: "bool", keepZero: true },
};

const secret: MessageSpec = {
  1: { name: "metadata", kind: objectMeta }, 2: { name: "data", kind: "bytesMap" }, 3: { name: "type", kind: "string" },
  4: { name: "stringData", kind: "stringMap" }, 5: { name: "immutable", kind: "bool", keepZero: true },
};

const serviceAccount: MessageSpec = {
  1: { name: "metadata", kind: objectMeta }, 2: { name: "secrets", kind: objectReference, repeated: true },
  3: { name: "imagePullSecrets", kind: { 1: { name: "name", kind: "string" } }, repeated: true },
  4: { name: "automountServiceAccountToken", kind: "bool", keepZero: true },
};

const servicePort: MessageSpec = {
  1: { name: "name", kind: "string" }, 2: { name: "protocol", kind: "string" }, 3: { name: "port", kind: "int32", keepZero: true },
  4: { name: "targetPort", kind: "intOrString" }, 5: { name: "nodePort", kind: "int32" }, 6: { name: "appProtocol", kind: "string", keepZero: true },
};

const serviceSpec: MessageSpec = {
  1: { name: "ports", kind: servicePort, repeated: true }, 2: { name: "selector", kind: "stringMap" }, 3: { name: "clusterIP", kind: "string" },
  4: { name: "type", kind: "string" }, 5: { name: "externalIPs", kind: "string", repeated: true }, 7: { name: "sessionAffinity", kind: "string" },
  8: { name: "loadBalancerIP", kind: "string" }, 9: { name: "loadBalancerSourceRanges", kind: "string", repeated: true },
  10: { name: "externalName", kind: "string" }, 11: { name: "externalTrafficPolicy", kind: "string" }, 12: { name: "healthCheckNodePort", kind: "int32" },
  13: { name: "publishNotReadyAddresses", kind: "bool" },
  14: { name: "sessionAffinityConfig", kind: { 1: { name: "clientIP", kind: { 1: { name: "timeoutSeconds", kind: "int32", keepZero: true } } } } },
  17: { name: "ipFamilyPolicy", kind: "string", keepZero: true }, 18: { name: "clusterIPs", kind: "string", repeated: true },
  19: { name: "ipFamilies", kind: "string", repeated: true }, 20: { name: "allocateLoadBalancerNodePorts", kind: "bool", keepZero: true },
  21: { name: "loadBalancerClass", kind: "string", keepZero: true }, 22: { name: "internalTrafficPolicy", kind: "string", keepZero: true },
  23: { name: "trafficDistribution", kind: "string", keepZero: true },
};

const service: MessageSpec = { 1: { name: "metadata", kind: objectMeta }, 2: { name: "spec", kind: serviceSpec } };

const priorityClass: MessageSpec = {
  1: { name: "metadata", kind: objectMeta }, 2: { name: "value", kind: "int32", keepZero: true }, 3: { name: "globalDefault", kind: "bool" },
  4: { name: "description", kind: "string" }, 5: { name: "preemptionPolicy", kind: "string", keepZero: true },
};

const policyRule: MessageSpec = {
  1: { name: "verbs", kind: "string", repeated: true }, 2: { name: "apiGroups", kind: "string", repeated: true },
  3: { name: "resources", kind: "string", repeated: true }, 4: { name: "resourceNames", kind: "string", repeated: true },
  5: { name: "nonResourceURLs", kind: "string", repeated: true },
};

const role: MessageSpec = { 1: { name: "metadata", kind: objectMeta }, 2: { name: "rules", kind: policyRule, repeated: true } };
const clusterRole: MessageSpec = {
  ...role, 3: { name: "aggregationRule", kind: { 1: { name: "clusterRoleSelectors", kind: labelSelector, repeated: true } } },
};

const binding: MessageSpec = {
  1: { name: "metadata", kind: objectMeta },
  2: { name: "subjects", kind: { 1: { name: "kind", kind: "string" }, 2: { name: "apiGroup", kind: "string" }, 3: { name: "name", kind: "string" }, 4: { name: "namespace", kind: "string" } }, repeated: true },
  3: { name: "roleRef", kind: { 1: { name: "apiGroup", kind: "string", keepZero: true }, 2: { name: "kind", kind: "string" }, 3: { name: "name", kind: "string" } } },
};

const resourceAttributes: MessageSpec = {
  1: { name: "namespace", kind: "string" }, 2: { name: "verb", kind: "string" }, 3: { name: "group", kind: "string" },
  4: { name: "version", kind: "string" }, 5: { name: "resource", kind: "string" }, 6: { name: "subresource", kind: "string" },
  7: { name: "name", kind: "string" },
};

const accessAttributes: MessageSpec = {
  1: { name: "resourceAttributes", kind: resourceAttributes },
  2: { name: "nonResourceAttributes", kind: { 1: { name: "path", kind: "string" }, 2: { name: "verb", kind: "string" } } },
};

const subjectAccessReview: MessageSpec = {
  1: { name: "metadata", kind: objectMeta },
  2: { name: "spec", kind: { ...accessAttributes, 3: { name: "user", kind: "string" }, 4: { name: "groups", kind: "string", repeated: true }, 6: { name: "uid", kind: "string" } } },
};

const tokenRequest: MessageSpec = {
  1: { name: "metadata", kind: objectMeta },
  2: {
    name: "spec", kind: {
      1: { name: "audiences", kind: "string", repeated: true },
      3: { name: "boundObjectRef", kind: { 1: { name: "kind", kind: "string" }, 2: { name: "apiVersion", kind: "string" }, 3: { name: "name", kind: "string" }, 4: { name: "uid", kind: "string" } } },
      4: { name: "expirationSeconds", kind: "int64", keepZero: true },
    },
  },
};

/** Message layouts by `apiVersion/kind`. */
export const kindMessages: Readonly<Record<string, MessageSpec>> = {
  "v1/ConfigMap": configMap,
  "v1/Secret": secret,
  "v1/ServiceAccount": serviceAccount,
  "v1/Service": service,
  "v1/Pod": podMessage,
  "scheduling.k8s.io/v1/PriorityClass": priorityClass,
  "rbac.authorization.k8s.io/v1/Role": role,
  "rbac.authorization.k8s.io/v1/ClusterRole": clusterRole,
  "rbac.authorization.k8s.io/v1/RoleBinding": binding,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": binding,
  "authentication.k8s.io/v1/TokenRequest": tokenRequest,
  "authentication.k8s.io/v1/SelfSubjectReview": { 1: { name: "metadata", kind: objectMeta } },
  "authorization.k8s.io/v1/SelfSubjectAccessReview": { 1: { name: "metadata", kind: objectMeta }, 2: { name: "spec", kind: accessAttributes } },
  "authorization.k8s.io/v1/SubjectAccessReview": subjectAccessReview,
  "authorization.k8s.io/v1/LocalSubjectAccessReview": subjectAccessReview,
  "authorization.k8s.io/v1/SelfSubjectRulesReview": { 1: { name: "metadata", kind: objectMeta }, 2: { name: "spec", kind: { 1: { name: "namespace", kind: "string" } } } },
};
