/**
 * Regenerates generated-definitions.ts from the TypeScript definitions in node_modules/kubernetes-types.
 *
 * Usage (from the repository root, after `npx tsc -p tsconfig.json`):
 *   node dist/api/schema/generate-definitions.js src/api/schema/generated-definitions.ts
 *
 * The .d.ts files give names, structure, optionality and descriptions. They do not tell int32 from int64
 * nor carry patch strategies, so those come from the tables below (taken from the upstream Go types).
 */
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileSync } from "node:fs";
import ts from "typescript";
import type { GroupVersionKind, ListTraits, RawDefinition, RawProperty } from "./types.js";

/** kubernetes-types module (path without .d.ts) → OpenAPI name prefix. */
const packagePrefixes: Record<string, string> = {
  "core/v1": "io.k8s.api.core.v1",
  "apps/v1": "io.k8s.api.apps.v1",
  "coordination/v1": "io.k8s.api.coordination.v1",
  "policy/v1": "io.k8s.api.policy.v1",
  "rbac/v1": "io.k8s.api.rbac.v1",
  "scheduling/v1": "io.k8s.api.scheduling.v1",
  "discovery/v1": "io.k8s.api.discovery.v1",
  "authorization/v1": "io.k8s.api.authorization.v1",
  "authentication/v1": "io.k8s.api.authentication.v1",
  "meta/v1": "io.k8s.apimachinery.pkg.apis.meta.v1",
};

/** The definitions to start from; everything they reference is included. */
const roots: Array<[module: string, name: string]> = [
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

/** Go int64 fields (`GoType.field`); every other integer is an int32. */
const int64Fields = new Set([
  "ObjectMeta.generation", "ObjectMeta.deletionGracePeriodSeconds", "ListMeta.remainingItemCount",
  "DeleteOptions.gracePeriodSeconds", "Condition.observedGeneration", "ContainerImage.sizeBytes",
  "ControllerRevision.revision", "DaemonSetStatus.observedGeneration",
  "LinuxContainerUser.gid", "LinuxContainerUser.uid", "LinuxContainerUser.supplementalGroups",
  "NodeSwapStatus.capacity", "PodCondition.observedGeneration", "PodStatus.observedGeneration",
  "PodSecurityContext.fsGroup", "PodSecurityContext.runAsGroup", "PodSecurityContext.runAsUser",
  "PodSecurityContext.supplementalGroups", "PodSpec.activeDeadlineSeconds", "PodSpec.terminationGracePeriodSeconds",
  "Probe.terminationGracePeriodSeconds", "SecurityContext.runAsGroup", "SecurityContext.runAsUser",
  "ServiceAccountTokenProjection.expirationSeconds", "TokenRequestSpec.expirationSeconds", "SleepAction.seconds", "Toleration.tolerationSeconds",
]);

const mergeByName: ListTraits = { patchStrategy: "merge", patchMergeKey: "name", listType: "map", listMapKeys: ["name"] };
const mergeByType: ListTraits = { patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"] };
const mergeByIp: ListTraits = { patchStrategy: "merge", patchMergeKey: "ip", listType: "map", listMapKeys: ["ip"] };
const atomic: ListTraits = { listType: "atomic" };

/** List traits per `GoType.field`, from upstream's patchStrategy/patchMergeKey tags and list markers. */
const listTraits: Record<string, ListTraits> = {
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
};

/** gvk lists that the .d.ts literals do not give. */
const gvkOverrides: Record<string, GroupVersionKind[]> = {
  "io.k8s.apimachinery.pkg.apis.meta.v1.Status": [{ group: "", version: "v1", kind: "Status" }],
  "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": [
    { group: "", version: "v1", kind: "DeleteOptions" }, { group: "apps", version: "v1", kind: "DeleteOptions" },
    { group: "coordination.k8s.io", version: "v1", kind: "DeleteOptions" }, { group: "policy", version: "v1", kind: "DeleteOptions" },
    ...["rbac.authorization.k8s.io", "scheduling.k8s.io", "discovery.k8s.io", "authorization.k8s.io", "authentication.k8s.io"]
      .map((group) => ({ group, version: "v1", kind: "DeleteOptions" })),
  ],
};

/** Builds all definitions reachable from the roots. */
export function buildDefinitions(typesDir: string): Record<string, RawDefinition> {
  const files = Object.keys(packagePrefixes).map((m) => join(typesDir, `${m}.d.ts`));
  const program = ts.createProgram(files, { noEmit: true, noLib: true, types: [] });
  const checker = program.getTypeChecker();
  const out: Record<string, RawDefinition> = {};
  const queue: Array<[string, string]> = [...roots];
  const seen = new Set<string>();

  const moduleOf = (sf: ts.SourceFile): string => relative(typesDir, sf.fileName).replace(/\.d\.ts$/, "").split("\\").join("/");
  const docOf = (node: ts.Node): string | undefined => {
    const sym = checker.getSymbolAtLocation((node as ts.NamedDeclaration).name ?? node);
    const text = sym ? ts.displayPartsToString(sym.getDocumentationComment(checker)).trim() : "";
    return text || undefined;
  };

  const convert = (node: ts.TypeNode, key: string): string => {
    if (node.kind === ts.SyntaxKind.StringKeyword || ts.isLiteralTypeNode(node)) return "string";
    if (node.kind === ts.SyntaxKind.NumberKeyword) return int64Fields.has(key) ? "int64" : "int32";
    if (node.kind === ts.SyntaxKind.BooleanKeyword) return "boolean";
    if (ts.isArrayTypeNode(node)) return `[]${convert(node.elementType, key)}`;
    if (ts.isUnionTypeNode(node)) {
      const kinds = new Set(node.types.map((t) => convert(t, key)));
      if (kinds.size === 1) return [...kinds][0] ?? "string";
      if (kinds.has("string") && (kinds.has("int32") || kinds.has("int64"))) return "IntOrString";
      throw new Error(`${key}: unsupported union`);
    }
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (index) return `map[string]${convert(index.type, key)}`;
      throw new Error(`${key}: unsupported type literal`);
    }
    if (ts.isTypeReferenceNode(node)) {
      const name = node.typeName.getText();
      if (name === "Array" && node.typeArguments?.[0]) return `[]${convert(node.typeArguments[0], key)}`;
      let sym = checker.getSymbolAtLocation(node.typeName);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      const decl = sym?.declarations?.[0];
      if (!decl) throw new Error(`${key}: cannot resolve ${name}`);
      const declName = (decl as ts.NamedDeclaration).name?.getText() ?? name;
      if (["Quantity", "Time", "MicroTime", "RawExtension", "FieldsV1"].includes(declName)) return declName;
      if (ts.isTypeAliasDeclaration(decl)) return convert(decl.type, key);
      if (ts.isInterfaceDeclaration(decl)) {
        const mod = moduleOf(decl.getSourceFile());
        const prefix = packagePrefixes[mod];
        if (!prefix) throw new Error(`${key}: ${declName} lives in unmapped module ${mod}`);
        queue.push([mod, declName]);
        return `#${prefix}.${declName}`;
      }
    }
    throw new Error(`${key}: unsupported type node ${ts.SyntaxKind[node.kind]}`);
  };

  while (queue.length > 0) {
    const [mod, name] = queue.shift() as [string, string];
    const prefix = packagePrefixes[mod] as string;
    const fullName = `${prefix}.${name}`;
    if (seen.has(fullName)) continue;
    seen.add(fullName);
    const sf = program.getSourceFile(join(typesDir, `${mod}.d.ts`));
    const decl = sf?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
    if (!decl) throw new Error(`interface ${name} not found in ${mod}`);
    const def: RawDefinition = { go: name, description: docOf(decl) ?? "", properties: {} };
    const required: string[] = [];
    let apiVersion: string | undefined;
    let kind: string | undefined;
    for (const member of decl.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const prop = member.name.getText().replace(/^"|"$/g, "");
      const key = `${name}.${prop}`;
      const raw: RawProperty = { type: convert(member.type, key) };
      const description = docOf(member);
      if (description) raw.description = description;
      Object.assign(raw, listTraits[key] ?? {});
      def.properties[prop] = raw;
      if (!member.questionToken) required.push(prop);
      if (ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal)) {
        if (prop === "apiVersion") apiVersion = member.type.literal.text;
        if (prop === "kind") kind = member.type.literal.text;
      }
    }
    if (required.length > 0) def.required = required;
    if (gvkOverrides[fullName]) def.gvk = gvkOverrides[fullName];
    else if (apiVersion && kind) {
      const slash = apiVersion.indexOf("/");
      def.gvk = [{ group: slash < 0 ? "" : apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind }];
    }
    out[fullName] = def;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Renders the generated module's source text. */
export function renderModule(defs: Record<string, RawDefinition>): string {
  const lines = [
    "// Generated by generate-definitions.ts from kubernetes-types; do not edit by hand.",
    "import type { RawDefinition } from \"./types.js\";",
    "",
    "/** Every definition the API server knows, keyed by OpenAPI name. */",
    "export const rawDefinitions: Readonly<Record<string, RawDefinition>> = {",
  ];
  for (const [name, def] of Object.entries(defs)) lines.push(`  ${JSON.stringify(name)}: ${JSON.stringify(def)},`);
  lines.push("};", "");
  return lines.join("\n");
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write("usage: generate-definitions <output .ts file>\n");
    process.exit(2);
  }
  const typesDir = dirname(createRequire(import.meta.url).resolve("kubernetes-types/package.json"));
  writeFileSync(target, renderModule(buildDefinitions(typesDir)));
}
