/**
 * The default ClusterRoles and ClusterRoleBindings every cluster starts with (labelled
 * `kubernetes.io/bootstrapping=rbac-defaults`): cluster-admin, the aggregated admin/edit/view with the
 * `system:aggregate-to-*` roles they gather, system:basic-user, system:discovery, system:public-info-viewer and
 * system:node. admin, edit and view carry the union of the rules of the roles their aggregationRule selects.
 */
import { mustFindResource } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { createIfAbsent } from "./bootstrap.js";

interface Rule { apiGroups?: string[]; resources?: string[]; verbs: string[]; nonResourceURLs?: string[] }

const read = ["get", "list", "watch"];
const write = ["create", "delete", "deletecollection", "patch", "update"];
const aggregateLabel = (role: string): string => `rbac.authorization.k8s.io/aggregate-to-${role}`;

const viewRules: Rule[] = [
  { apiGroups: [""], resources: ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], verbs: read },
  { apiGroups: [""], resources: ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], verbs: read },
  { apiGroups: [""], resources: ["namespaces"], verbs: read },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: read },
  { apiGroups: ["apps"], resources: ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], verbs: read },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: read },
  { apiGroups: ["everynode.dev"], resources: ["daemonjobs", "daemonjobs/status"], verbs: read },
];

const editRules: Rule[] = [
  { apiGroups: [""], resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], verbs: read },
  { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
  { apiGroups: [""], resources: ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], verbs: write },
  { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
  { apiGroups: [""], resources: ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], verbs: write },
  { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
  { apiGroups: ["apps"], resources: ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"], verbs: write },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: write },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: write },
  { apiGroups: ["everynode.dev"], resources: ["daemonjobs"], verbs: write },
];

const adminRules: Rule[] = [
  { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings", "roles"], verbs: [...write, ...read] },
];

const nodeRules: Rule[] = [
  { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
  { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews", "subjectaccessreviews"], verbs: ["create"] },
  { apiGroups: [""], resources: ["services", "endpoints", "nodes", "pods", "configmaps", "secrets"], verbs: read },
  { apiGroups: [""], resources: ["nodes", "nodes/status"], verbs: ["create", "get", "list", "watch", "patch", "update", "delete"] },
  { apiGroups: [""], resources: ["events"], verbs: ["create", "patch", "update"] },
  { apiGroups: [""], resources: ["pods"], verbs: ["create", "delete"] },
  { apiGroups: [""], resources: ["pods/status"], verbs: ["patch", "update"] },
  { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
  { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "delete", "get", "patch", "update"] },
];

const discoveryURLs = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"];

interface RoleSpec { name: string; rules: Rule[]; labels?: Record<string, string>; aggregateFrom?: string }

const roles: RoleSpec[] = [
  { name: "cluster-admin", rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }, { nonResourceURLs: ["*"], verbs: ["*"] }] },
  { name: "system:aggregate-to-view", rules: viewRules, labels: { [aggregateLabel("view")]: "true" } },
  { name: "system:aggregate-to-edit", rules: editRules, labels: { [aggregateLabel("edit")]: "true" } },
  { name: "system:aggregate-to-admin", rules: adminRules, labels: { [aggregateLabel("admin")]: "true" } },
  { name: "view", rules: [], labels: { [aggregateLabel("edit")]: "true" }, aggregateFrom: "view" },
  { name: "edit", rules: [], labels: { [aggregateLabel("admin")]: "true" }, aggregateFrom: "edit" },
  { name: "admin", rules: [], aggregateFrom: "admin" },
  { name: "system:basic-user", rules: [
    { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], verbs: ["create"] },
    { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
  ] },
  { name: "system:discovery", rules: [{ nonResourceURLs: discoveryURLs, verbs: ["get"] }] },
  { name: "system:public-info-viewer", rules: [{ nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] }] },
  { name: "system:node", rules: nodeRules },
];

const bindings: Array<{ name: string; role: string; groups: string[] }> = [
  { name: "cluster-admin", role: "cluster-admin", groups: ["system:masters"] },
  { name: "system:basic-user", role: "system:basic-user", groups: ["system:authenticated"] },
  { name: "system:discovery", role: "system:discovery", groups: ["system:authenticated"] },
  { name: "system:public-info-viewer", role: "system:public-info-viewer", groups: ["system:authenticated", "system:unauthenticated"] },
  { name: "system:node", role: "system:node", groups: [] },
];

/**
 * Rules of `name` with the rules of every role it aggregates (admin ⊇ edit ⊇ view), de-duplicated, those roles in
 * name order as the aggregation controller takes them (so it finds nothing to change).
 */
function rulesOf(spec: RoleSpec): Rule[] {
  if (!spec.aggregateFrom) return spec.rules;
  const out: Rule[] = [];
  const seen = new Set<string>();
  for (const role of [...roles].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (role.labels?.[aggregateLabel(spec.aggregateFrom)] !== "true") continue;
    for (const rule of rulesOf(role)) {
      const key = JSON.stringify(rule);
      if (!seen.has(key)) { seen.add(key); out.push(rule); }
    }
  }
  return out;
}

const bootstrapMeta = (name: string, labels: Record<string, string> = {}): KubeObject["metadata"] => ({
  name, labels: { "kubernetes.io/bootstrapping": "rbac-defaults", ...labels }, annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
});

/** Creates the default ClusterRoles and ClusterRoleBindings that do not exist yet (idempotent). */
export async function ensureDefaultRbac(client: Client): Promise<void> {
  const clusterRoles = mustFindResource("rbac.authorization.k8s.io", "clusterroles");
  const clusterRoleBindings = mustFindResource("rbac.authorization.k8s.io", "clusterrolebindings");
  for (const role of roles) {
    const object: KubeObject = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: bootstrapMeta(role.name, role.labels), rules: rulesOf(role) };
    if (role.aggregateFrom) object.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [aggregateLabel(role.aggregateFrom)]: "true" } }] };
    await createIfAbsent(client, clusterRoles, undefined, object);
  }
  for (const b of bindings) {
    await createIfAbsent(client, clusterRoleBindings, undefined, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: bootstrapMeta(b.name),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: b.role },
      subjects: b.groups.map((name) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name })),
    });
  }
}
