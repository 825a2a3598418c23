/** Table column definitions per kind, named, typed and ordered as upstream's server-side printers. */
import { definition } from "../../api/schema/catalog.js";

/** One column of a metav1.Table. */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** The description upstream takes from a field's documentation (SwaggerDoc). */
function doc(definitionName: string, field: string): string {
  return definition(definitionName)?.properties.get(field)?.description ?? "";
}

const meta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const core = "io.k8s.api.core.v1";
const apps = "io.k8s.api.apps.v1";
const scheduling = "io.k8s.api.scheduling.v1";

function column(name: string, type: string, description: string, priority = 0, format = ""): TableColumnDefinition {
  return { name, type, format, description, priority };
}

const nameColumn = (): TableColumnDefinition => column("Name", "string", doc(meta, "name"), 0, "name");
const ageColumn = (): TableColumnDefinition => column("Age", "string", doc(meta, "creationTimestamp"));

function bindingColumns(kind: string): TableColumnDefinition[] {
  const rbac = "io.k8s.api.rbac.v1";
  return [
    nameColumn(),
    column("Role", "string", doc(`${rbac}.${kind}`, "roleRef")),
    ageColumn(),
    column("Users", "string", "Users in the roleBinding", 1),
    column("Groups", "string", "Groups in the roleBinding", 1),
    column("ServiceAccounts", "string", "ServiceAccounts in the roleBinding", 1),
  ];
}

const builders: Record<string, () => TableColumnDefinition[]> = {
  Pod: () => [
    nameColumn(),
    column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "string", "The aggregate status of the containers in this pod."),
    column("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    ageColumn(),
    column("IP", "string", doc(`${core}.PodStatus`, "podIP"), 1),
    column("Node", "string", doc(`${core}.PodSpec`, "nodeName"), 1),
    column("Nominated Node", "string", doc(`${core}.PodStatus`, "nominatedNodeName"), 1),
    column("Readiness Gates", "string", doc(`${core}.PodSpec`, "readinessGates"), 1),
  ],
  DaemonSet: () => [
    nameColumn(),
    column("Desired", "integer", doc(`${apps}.DaemonSetStatus`, "desiredNumberScheduled")),
    column("Current", "integer", doc(`${apps}.DaemonSetStatus`, "currentNumberScheduled")),
    column("Ready", "integer", doc(`${apps}.DaemonSetStatus`, "numberReady")),
    column("Up-to-date", "integer", doc(`${apps}.DaemonSetStatus`, "updatedNumberScheduled")),
    column("Available", "integer", doc(`${apps}.DaemonSetStatus`, "numberAvailable")),
    column("Node Selector", "string", doc(`${core}.PodSpec`, "nodeSelector")),
    ageColumn(),
    column("Containers", "string", "Names of each container in the template.", 1),
    column("Images", "string", "Images referenced by each container in the template.", 1),
    column("Selector", "string", doc(`${apps}.DaemonSetSpec`, "selector"), 1),
  ],
  Node: () => [
    nameColumn(),
    column("Status", "string", "The status of the node"),
    column("Roles", "string", "The roles of the node"),
    ageColumn(),
    column("Version", "string", doc(`${core}.NodeSystemInfo`, "kubeletVersion")),
    column("Internal-IP", "string", doc(`${core}.NodeStatus`, "addresses"), 1),
    column("External-IP", "string", doc(`${core}.NodeStatus`, "addresses"), 1),
    column("OS-Image", "string", doc(`${core}.NodeSystemInfo`, "osImage"), 1),
    column("Kernel-Version", "string", doc(`${core}.NodeSystemInfo`, "kernelVersion"), 1),
    column("Container-Runtime", "string", doc(`${core}.NodeSystemInfo`, "containerRuntimeVersion"), 1),
  ],
  Namespace: () => [nameColumn(), column("Status", "string", "The status of the namespace"), ageColumn()],
  Event: () => [
    column("Last Seen", "string", doc(`${core}.Event`, "lastTimestamp")),
    column("Type", "string", doc(`${core}.Event`, "type")),
    column("Reason", "string", doc(`${core}.Event`, "reason")),
    column("Object", "string", doc(`${core}.Event`, "involvedObject")),
    column("Subobject", "string", doc(`${core}.ObjectReference`, "fieldPath"), 1),
    column("Source", "string", doc(`${core}.Event`, "source"), 1),
    column("Message", "string", doc(`${core}.Event`, "message")),
    column("First Seen", "string", doc(`${core}.Event`, "firstTimestamp"), 1),
    column("Count", "string", doc(`${core}.Event`, "count"), 1),
    column("Name", "string", doc(meta, "name"), 1, "name"),
  ],
  ControllerRevision: () => [
    nameColumn(),
    column("Controller", "string", "Controller of the object"),
    column("Revision", "string", doc(`${apps}.ControllerRevision`, "revision")),
    ageColumn(),
  ],
  ConfigMap: () => [nameColumn(), column("Data", "string", doc(`${core}.ConfigMap`, "data")), ageColumn()],
  Secret: () => [nameColumn(), column("Type", "string", doc(`${core}.Secret`, "type")), column("Data", "string", doc(`${core}.Secret`, "data")), ageColumn()],
  ServiceAccount: () => [nameColumn(), column("Secrets", "string", doc(`${core}.ServiceAccount`, "secrets")), ageColumn()],
  PriorityClass: () => [
    nameColumn(),
    column("Value", "integer", doc(`${scheduling}.PriorityClass`, "value")),
    column("Global-Default", "boolean", doc(`${scheduling}.PriorityClass`, "globalDefault")),
    ageColumn(),
    column("PreemptionPolicy", "string", doc(`${scheduling}.PriorityClass`, "preemptionPolicy")),
  ],
  Service: () => [
    nameColumn(),
    column("Type", "string", doc(`${core}.ServiceSpec`, "type")),
    column("Cluster-IP", "string", doc(`${core}.ServiceSpec`, "clusterIP")),
    column("External-IP", "string", doc(`${core}.ServiceSpec`, "externalIPs")),
    column("Port(s)", "string", doc(`${core}.ServiceSpec`, "ports")),
    ageColumn(),
    column("Selector", "string", doc(`${core}.ServiceSpec`, "selector"), 1),
  ],
  Endpoints: () => [nameColumn(), column("Endpoints", "string", doc(`${core}.Endpoints`, "subsets")), ageColumn()],
  EndpointSlice: () => [
    nameColumn(),
    column("AddressType", "string", doc("io.k8s.api.discovery.v1.EndpointSlice", "addressType")),
    column("Ports", "string", doc("io.k8s.api.discovery.v1.EndpointSlice", "ports")),
    column("Endpoints", "string", doc("io.k8s.api.discovery.v1.EndpointSlice", "endpoints")),
    ageColumn(),
  ],
  Role: () => [nameColumn(), column("Created At", "date", doc(meta, "creationTimestamp"))],
  ClusterRole: () => [nameColumn(), column("Created At", "date", doc(meta, "creationTimestamp"))],
  RoleBinding: () => bindingColumns("RoleBinding"),
  ClusterRoleBinding: () => bindingColumns("ClusterRoleBinding"),
  DaemonJob: () => {
    const dj = "dev.everynode.v1alpha1";
    return [
      nameColumn(),
      column("Status", "string", "Status of the DaemonJob: Running, Complete, Failed or Terminating."),
      column("Desired", "integer", doc(`${dj}.DaemonJobStatus`, "desired")),
      column("Active", "integer", doc(`${dj}.DaemonJobStatus`, "active")),
      column("Succeeded", "integer", doc(`${dj}.DaemonJobStatus`, "succeeded")),
      column("Failed", "integer", doc(`${dj}.DaemonJobStatus`, "failed")),
      column("Completions", "string", "Nodes that succeeded out of the nodes covered."),
      column("Duration", "string", "Time the DaemonJob took to complete, or has run so far."),
      ageColumn(),
      column("Containers", "string", "Names of each container in the template.", 1),
      column("Images", "string", "Images referenced by each container in the template.", 1),
      column("Selector", "string", doc(`${dj}.DaemonJobSpec`, "selector"), 1),
    ];
  },
  Lease: () => [nameColumn(), column("Holder", "string", doc("io.k8s.api.coordination.v1.LeaseSpec", "holderIdentity")), ageColumn()],
};

/** Generic columns for kinds without a printer: name and age. */
const defaultColumns = (): TableColumnDefinition[] => [nameColumn(), column("Created At", "date", doc(meta, "creationTimestamp"))];

/** The columns of a kind's table (a fresh array); unknown kinds get upstream's default Name/Created At. */
export function columnDefinitions(kind: string): TableColumnDefinition[] {
  return (Object.hasOwn(builders, kind) ? builders[kind] ?? defaultColumns : defaultColumns)();
}

/** True when the kind has a dedicated printer. */
export function hasPrinter(kind: string): boolean {
  return Object.hasOwn(builders, kind);
}
