/**
 * The upstream schema facts that the Kubernetes 1.32 model classes (npm package k8s-api-1-32, an alias of
 * @kubernetes/client-node 1.1.x) do not carry, taken from the upstream Go types of 1.32: list and patch traits
 * (the one source of the strategic-merge keys that patch-meta serves), which strings are resource quantities,
 * which free-form fields are RawExtension or FieldsV1, and the group/version/kind of each root.
 */
import type { GroupVersionKind, ListTraits } from "./types.js";

/** API package (`group/version` directory upstream) → OpenAPI name prefix and API group. */
export const apiPackages: Readonly<Record<string, { prefix: string; group: string }>> = {
  "core/v1": { prefix: "io.k8s.api.core.v1", group: "" },
  "apps/v1": { prefix: "io.k8s.api.apps.v1", group: "apps" },
  "coordination/v1": { prefix: "io.k8s.api.coordination.v1", group: "coordination.k8s.io" },
  "policy/v1": { prefix: "io.k8s.api.policy.v1", group: "policy" },
  "rbac/v1": { prefix: "io.k8s.api.rbac.v1", group: "rbac.authorization.k8s.io" },
  "scheduling/v1": { prefix: "io.k8s.api.scheduling.v1", group: "scheduling.k8s.io" },
  "discovery/v1": { prefix: "io.k8s.api.discovery.v1", group: "discovery.k8s.io" },
  "authorization/v1": { prefix: "io.k8s.api.authorization.v1", group: "authorization.k8s.io" },
  "authentication/v1": { prefix: "io.k8s.api.authentication.v1", group: "authentication.k8s.io" },
  "meta/v1": { prefix: "io.k8s.apimachinery.pkg.apis.meta.v1", group: "meta.k8s.io" },
};

/** The definitions to start from; everything they reference is included. */
export const roots: ReadonlyArray<readonly [apiPackage: string, name: string]> = [
  ["core/v1", "Namespace"], ["core/v1", "NamespaceList"], ["core/v1", "Node"], ["core/v1", "NodeList"],
  ["core/v1", "Pod"], ["core/v1", "PodList"], ["core/v1", "Event"], ["core/v1", "EventList"],
  ["core/v1", "Binding"],
  ["core/v1", "ConfigMap"], ["core/v1", "ConfigMapList"], ["core/v1", "Secret"], ["core/v1", "SecretList"],
  ["core/v1", "ServiceAccount"], ["core/v1", "ServiceAccountList"], ["core/v1", "Service"], ["core/v1", "ServiceList"],
  ["core/v1", "Endpoints"], ["core/v1", "EndpointsList"],
  ["discovery/v1", "EndpointSlice"], ["discovery/v1", "EndpointSliceList"],
  ["scheduling/v1", "PriorityClass"], ["scheduling/v1", "PriorityClassList"],
  ["rbac/v1", "Role"], ["rbac/v1", "RoleList"], ["rbac/v1", "ClusterRole"], ["rbac/v1", "ClusterRoleList"],
  ["rbac/v1", "RoleBinding"], ["rbac/v1", "RoleBindingList"], ["rbac/v1", "ClusterRoleBinding"], ["rbac/v1", "ClusterRoleBindingList"],
  ["authorization/v1", "SubjectAccessReview"], ["authorization/v1", "SelfSubjectAccessReview"],
  ["authorization/v1", "LocalSubjectAccessReview"], ["authorization/v1", "SelfSubjectRulesReview"],
  ["authentication/v1", "TokenRequest"], ["authentication/v1", "SelfSubjectReview"],
  ["apps/v1", "DaemonSet"], ["apps/v1", "DaemonSetList"], ["apps/v1", "ControllerRevision"], ["apps/v1", "ControllerRevisionList"],
  ["coordination/v1", "Lease"], ["coordination/v1", "LeaseList"],
  ["policy/v1", "Eviction"],
  ["meta/v1", "DeleteOptions"], ["meta/v1", "Status"],
];

/**
 * Model classes whose API package differs from the package of the definition that refers to them
 * (the client names them `V1<Name>` whatever their package).
 */
export const classPackages: Readonly<Record<string, string>> = {
  ...Object.fromEntries(["ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference", "ManagedFieldsEntry",
    "Condition", "Status", "StatusDetails", "StatusCause", "DeleteOptions", "Preconditions", "FieldSelectorRequirement"].map((n) => [n, "meta/v1"])),
  PodTemplateSpec: "core/v1",
  ObjectReference: "core/v1",
};

/** Fields (`GoType.field`) whose strings (or map values) are resource.Quantity. */
export const quantityFields: ReadonlySet<string> = new Set([
  "ContainerStatus.allocatedResources", "EmptyDirVolumeSource.sizeLimit", "NodeStatus.allocatable", "NodeStatus.capacity",
  "PodSpec.overhead", "ResourceFieldSelector.divisor", "ResourceRequirements.limits", "ResourceRequirements.requests",
  "VolumeResourceRequirements.limits", "VolumeResourceRequirements.requests",
]);

/** Free-form fields (`GoType.field`) and the named type each holds. */
export const freeFormFields: Readonly<Record<string, "RawExtension" | "FieldsV1">> = {
  "ControllerRevision.data": "RawExtension",
  "ManagedFieldsEntry.fieldsV1": "FieldsV1",
};

const mergeByName: ListTraits = { patchStrategy: "merge", patchMergeKey: "name", listType: "map", listMapKeys: ["name"] };
const mergeByType: ListTraits = { patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"] };
const mergeByIp: ListTraits = { patchStrategy: "merge", patchMergeKey: "ip", listType: "map", listMapKeys: ["ip"] };
const atomic: ListTraits = { listType: "atomic" };

/** List traits per `GoType.field`, from upstream's patchStrategy/patchMergeKey tags and list markers. */
export const listTraits: Readonly<Record<string, ListTraits>> = {
  "ObjectMeta.finalizers": { patchStrategy: "merge", listType: "set" },
  "ObjectMeta.ownerReferences": { patchStrategy: "merge", patchMergeKey: "uid", listType: "map", listMapKeys: ["uid"] },
  "ObjectMeta.managedFields": atomic,
  "LabelSelector.matchExpressions": atomic,
  "LabelSelectorRequirement.values": atomic,
  "PodSpec.volumes": { ...mergeByName, patchStrategy: "merge,retainKeys" },
  "PodSpec.initContainers": mergeByName,
  "PodSpec.containers": mergeByName,
  "PodSpec.ephemeralContainers": mergeByName,
  "PodSpec.imagePullSecrets": mergeByName,
  "PodSpec.tolerations": atomic,
  "PodSpec.hostAliases": mergeByIp,
  "PodSpec.readinessGates": atomic,
  "PodSpec.topologySpreadConstraints": { patchStrategy: "merge", patchMergeKey: "topologyKey", listType: "map", listMapKeys: ["topologyKey", "whenUnsatisfiable"] },
  "PodSpec.schedulingGates": mergeByName,
  "PodSpec.resourceClaims": { ...mergeByName, patchStrategy: "merge,retainKeys" },
  "Container.ports": { patchStrategy: "merge", patchMergeKey: "containerPort", listType: "map", listMapKeys: ["containerPort", "protocol"] },
  "Container.env": mergeByName,
  "Container.envFrom": atomic,
  "Container.volumeMounts": { patchStrategy: "merge", patchMergeKey: "mountPath", listType: "map", listMapKeys: ["mountPath"] },
  "Container.volumeDevices": { patchStrategy: "merge", patchMergeKey: "devicePath", listType: "map", listMapKeys: ["devicePath"] },
  "Container.command": atomic,
  "Container.args": atomic,
  "Container.resizePolicy": atomic,
  "EphemeralContainer.ports": { patchStrategy: "merge", patchMergeKey: "containerPort", listType: "map", listMapKeys: ["containerPort", "protocol"] },
  "EphemeralContainer.env": mergeByName,
  "EphemeralContainer.volumeMounts": { patchStrategy: "merge", patchMergeKey: "mountPath", listType: "map", listMapKeys: ["mountPath"] },
  "EphemeralContainer.volumeDevices": { patchStrategy: "merge", patchMergeKey: "devicePath", listType: "map", listMapKeys: ["devicePath"] },
  "ContainerStatus.allocatedResourcesStatus": mergeByName,
  "ResourceStatus.resources": { listType: "map", listMapKeys: ["resourceID"] },
  "LinuxContainerUser.supplementalGroups": atomic,
  "PodStatus.conditions": mergeByType,
  "PodStatus.podIPs": mergeByIp,
  "PodStatus.hostIPs": mergeByIp,
  "PodStatus.initContainerStatuses": atomic,
  "PodStatus.containerStatuses": atomic,
  "PodStatus.ephemeralContainerStatuses": atomic,
  "PodStatus.resourceClaimStatuses": { ...mergeByName, patchStrategy: "merge,retainKeys" },
  "NodeSpec.podCIDRs": { patchStrategy: "merge", listType: "set" },
  "NodeSpec.taints": atomic,
  "NodeStatus.conditions": mergeByType,
  "NodeStatus.addresses": mergeByType,
  "NodeStatus.volumesAttached": atomic,
  "NodeStatus.volumesInUse": atomic,
  "NodeStatus.images": atomic,
  "NamespaceSpec.finalizers": atomic,
  "NamespaceStatus.conditions": mergeByType,
  "DaemonSetStatus.conditions": mergeByType,
  "NodeSelector.nodeSelectorTerms": atomic,
  "NodeSelectorTerm.matchExpressions": atomic,
  "NodeSelectorTerm.matchFields": atomic,
  "NodeSelectorRequirement.values": atomic,
  "Capabilities.add": atomic,
  "Capabilities.drop": atomic,
  "ExecAction.command": atomic,
  "HTTPGetAction.httpHeaders": atomic,
  "PodSecurityContext.supplementalGroups": atomic,
  "PodSecurityContext.sysctls": atomic,
  "TopologySpreadConstraint.matchLabelKeys": atomic,
  "ProjectedVolumeSource.sources": atomic,
  "ConfigMapVolumeSource.items": atomic,
  "SecretVolumeSource.items": atomic,
  "DownwardAPIVolumeSource.items": atomic,
  "StatusDetails.causes": atomic,
  "ServiceSpec.ports": { patchStrategy: "merge", patchMergeKey: "port", listType: "map", listMapKeys: ["port", "protocol"] },
  "ServiceSpec.clusterIPs": atomic,
  "ServiceSpec.externalIPs": atomic,
  "ServiceSpec.ipFamilies": atomic,
  "ServiceSpec.loadBalancerSourceRanges": atomic,
  "ServiceStatus.conditions": mergeByType,
  "ServiceAccount.secrets": { patchStrategy: "merge", patchMergeKey: "name", listType: "map", listMapKeys: ["name"] },
  "ServiceAccount.imagePullSecrets": atomic,
  "Endpoints.subsets": atomic,
  "EndpointSubset.addresses": atomic,
  "EndpointSubset.notReadyAddresses": atomic,
  "EndpointSubset.ports": atomic,
  "EndpointSlice.endpoints": atomic,
  "EndpointSlice.ports": atomic,
  "Endpoint.addresses": { listType: "set" },
  "PolicyRule.verbs": atomic,
  "PolicyRule.apiGroups": atomic,
  "PolicyRule.resources": atomic,
  "PolicyRule.resourceNames": atomic,
  "PolicyRule.nonResourceURLs": atomic,
  "Role.rules": atomic,
  "ClusterRole.rules": atomic,
  "AggregationRule.clusterRoleSelectors": atomic,
  "RoleBinding.subjects": atomic,
  "ClusterRoleBinding.subjects": atomic,
  "TokenRequestSpec.audiences": atomic,
  "DeleteOptions.dryRun": atomic,
  "FieldSelectorAttributes.requirements": atomic,
  "LabelSelectorAttributes.requirements": atomic,
  "FieldSelectorRequirement.values": atomic,
};

/**
 * Descriptions of fields added after 1.30 that hold a struct, which the client's models drop (upstream 1.32 text);
 * older fields take theirs from kubernetes-types.
 */
export const fieldDescriptions: Readonly<Record<string, string>> = {
  "PodSpec.resources": "Resources is the total amount of CPU and Memory resources required by all containers in the pod. It supports specifying Requests and Limits for \"cpu\" and \"memory\" resource names only. ResourceClaims are not supported.\n\nThis field enables fine-grained control over resource allocation for the entire pod, allowing resource sharing among containers in a pod.\n\nThis is an alpha field and requires enabling the PodLevelResources feature gate.",
  "ContainerStatus.user": "User represents user identity information initially attached to the first process of the container",
  "ContainerUser.linux": "Linux holds user identity information initially attached to the first process of the containers in Linux. Note that the actual running identity can be changed if the process has enough privilege to do so.",
  "NodeStatus.features": "Features describes the set of features implemented by the CRI implementation.",
  "Volume.image": "image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet's host machine. The volume is resolved at pod startup depending on which PullPolicy value is provided:\n\n- Always: the kubelet always attempts to pull the reference. Container creation will fail If the pull fails. - Never: the kubelet never pulls the reference and only uses a local image or artifact. Container creation will fail if the reference isn't present. - IfNotPresent: the kubelet pulls if the reference isn't already present on disk. Container creation will fail if the reference isn't present and the pull fails.\n\nThe volume gets re-resolved if the pod gets deleted and recreated, which means that new remote content will become available on pod recreation. A failure to resolve or pull the image during pod startup will block containers from starting and may add significant latency. Failures will be retried using normal volume backoff and will be reported on the pod reason and message. The types of objects that may be mounted by this volume are defined by the container runtime implementation on a host machine and at minimum must include all valid types supported by the container image field. The OCI object gets mounted in a single directory (spec.containers[*].volumeMounts.mountPath) by merging the manifest layers in the same way as for container images. The volume will be mounted read-only (ro) and non-executable files (noexec). Sub path mounts for containers are not supported (spec.containers[*].volumeMounts.subpath). The field spec.securityContext.fsGroupChangePolicy has no effect on this volume type.",
  "ResourceAttributes.fieldSelector": "fieldSelector describes the limitation on access based on field.  It can only limit access, not broaden it.",
  "ResourceAttributes.labelSelector": "labelSelector describes the limitation on access based on labels.  It can only limit access, not broaden it.",
};

/** gvk lists of roots that are not kinds of their own package (every other root is `<its group>/v1, Kind=<name>`). */
export const gvkOverrides: Readonly<Record<string, GroupVersionKind[]>> = {
  "io.k8s.apimachinery.pkg.apis.meta.v1.Status": [{ group: "", version: "v1", kind: "Status" }],
  "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": [
    { group: "", version: "v1", kind: "DeleteOptions" }, { group: "apps", version: "v1", kind: "DeleteOptions" },
    { group: "coordination.k8s.io", version: "v1", kind: "DeleteOptions" }, { group: "policy", version: "v1", kind: "DeleteOptions" },
    ...["rbac.authorization.k8s.io", "scheduling.k8s.io", "discovery.k8s.io", "authorization.k8s.io", "authentication.k8s.io"]
      .map((group) => ({ group, version: "v1", kind: "DeleteOptions" })),
  ],
};

