/**
 * NodeRestriction admission: a Client wrapper that limits a node identity's writes to what concerns the node
 * itself — its own Node (without changing its taints, restricted labels, configSource or ownerReferences), its own Lease in kube-node-lease,
 * the status, eviction and deletion of pods bound to it, and mirror pods bound to it. Denials are 403s worded
 * as upstream's admission errors (`nodes "node-2" is forbidden: node "node-1" is not allowed to modify node
 * "node-2"`). Reads pass through unchanged.
 */
import { findResource, type ResourceInfo } from "../../api/resources.js";
import { internalError, StatusError } from "../../api/status-error.js";
import type { ApiObject, DeleteOptions, KubeList, KubeObject, Node, Pod } from "../../api/types.js";
import type { Client, ListOptions, PatchOptions, PatchOutcome, PatchType, WriteOptions } from "../../client/client.js";
import { admittedPatch } from "./admitted-patch.js";
import { forbiddenError } from "./authz-attributes.js";
import { ForwardingClient } from "./forwarding-client.js";
import { nodeLeaseNamespace } from "./authz-node.js";
import { forbiddenNodeLabels, podReferences } from "./authz-node-rules.js";

const mirrorPodAnnotation = "kubernetes.io/config.mirror";

type Kind = "nodes" | "pods" | "leases" | undefined;

function kindOf(resource: ResourceInfo): Kind {
  if (resource.group === "" && (resource.resource === "nodes" || resource.resource === "pods")) return resource.resource;
  if (resource.group === "coordination.k8s.io" && resource.resource === "leases") return "leases";
  return undefined;
}

function nameOf(object: ApiObject): string {
  return object.metadata?.name || object.metadata?.generateName || "Unknown";
}

/** Wraps `client` so that writes made through it are admitted as NodeRestriction admits writes of node `nodeName`. */
export function nodeRestrictedClient(client: Client, nodeName: string): Client {
  return new NodeRestriction(client, nodeName);
}

class NodeRestriction extends ForwardingClient {
  constructor(inner: Client, private readonly node: string) {
    super(inner);
  }

  override async create<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    const kind = kindOf(resource);
    if (kind === "nodes") this.admitNodeCreate(resource, object as Node);
    if (kind === "pods") await this.admitMirrorPod(resource, object as Pod);
    if (kind === "leases") this.admitLease(resource, namespace, nameOf(object), object.metadata?.name);
    return this.inner.create<T>(resource, namespace, object, options);
  }

  override async update<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    const kind = kindOf(resource);
    const name = nameOf(object);
    if (kind === "pods") throw this.unexpected(resource, name, "UPDATE");
    if (kind === "leases") this.admitLease(resource, namespace, name, name);
    if (kind !== "nodes") return this.inner.update<T>(resource, namespace, object, options);
    this.admitNodeName(resource, name);
    const current = await this.inner.get<Node>(resource, undefined, name);
    this.admitNodeChange(resource, name, object as Node, current);
    // The check held against `current`: make it a precondition of the write.
    const meta = object.metadata ?? {};
    const guarded = { ...object, metadata: { ...meta, resourceVersion: meta.resourceVersion ?? current.metadata?.resourceVersion } };
    return this.inner.update<T>(resource, namespace, guarded, options);
  }

  override async updateStatus<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    const kind = kindOf(resource);
    if (kind === "nodes") this.admitNodeName(resource, nameOf(object));
    if (kind === "pods") await this.admitPodStatus(resource, namespace, nameOf(object));
    return this.inner.updateStatus<T>(resource, namespace, object, options);
  }

  override async patchWithOutcome<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<PatchOutcome<T>> {
    const kind = kindOf(resource);
    const status = options?.subresource === "status";
    if (kind === "pods") {
      if (!status) throw this.unexpected(resource, name, "UPDATE");
      await this.admitPodStatus(resource, namespace, name);
    }
    if (kind === "leases") this.admitLease(resource, namespace, name, name);
    if (kind !== "nodes") return this.inner.patchWithOutcome<T>(resource, namespace, name, type, patch, options);
    this.admitNodeName(resource, name);
    if (status) return this.inner.patchWithOutcome<T>(resource, namespace, name, type, patch, options);
    return admittedPatch<T>(this.inner, resource, namespace, name, type, patch, options, (result, current) => {
      if (current === undefined) this.admitNodeCreate(resource, result as Node);
      else this.admitNodeChange(resource, name, result as Node, current as Node);
    });
  }

  override async delete(resource: ResourceInfo, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject> {
    const kind = kindOf(resource);
    if (kind === "nodes") this.admitNodeName(resource, name);
    if (kind === "leases") this.admitLease(resource, namespace, name, name);
    if (kind === "pods" && (await this.podNode(resource, namespace, name)) !== this.node) {
      throw forbiddenError(resource, name, `node "${this.node}" can only delete pods with spec.nodeName set to itself`);
    }
    return this.inner.delete(resource, namespace, name, options);
  }

  override deleteCollection(resource: ResourceInfo, namespace: string | undefined, listOptions?: ListOptions, options?: DeleteOptions): Promise<KubeList> {
    const kind = kindOf(resource);
    if (kind !== undefined) return Promise.reject(this.unexpected(resource, "Unknown", "DELETE"));
    return this.inner.deleteCollection(resource, namespace, listOptions, options);
  }

  override async createSubresource(resource: ResourceInfo, namespace: string | undefined, name: string, subresource: string, body: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    if (kindOf(resource) === "pods") {
      if (subresource !== "eviction") throw forbiddenError(resource, name, `unexpected pod subresource "${subresource}", only 'status' and 'eviction' are allowed`);
      if ((await this.podNode(resource, namespace, name)) !== this.node) {
        throw forbiddenError(resource, name, `node ${this.node} can only evict pods with spec.nodeName set to itself`);
      }
    }
    return this.inner.createSubresource(resource, namespace, name, subresource, body, options);
  }

  /** The node the existing pod is bound to ("" when unbound); a missing pod answers its 404. */
  private async podNode(resource: ResourceInfo, namespace: string | undefined, name: string): Promise<string> {
    const pod = await this.inner.get<Pod>(resource, namespace, name);
    return pod.spec?.nodeName ?? "";
  }

  private unexpected(resource: ResourceInfo, name: string, operation: string): StatusError {
    return forbiddenError(resource, name, `unexpected operation "${operation}", node "${this.node}" can only create and delete mirror pods`);
  }

  private admitNodeName(resource: ResourceInfo, name: string): void {
    if (name !== this.node) throw forbiddenError(resource, name, `node "${this.node}" is not allowed to modify node "${name}"`);
  }

  private admitNodeCreate(resource: ResourceInfo, node: Node): void {
    const name = node.metadata?.name ?? "";
    this.admitNodeName(resource, name);
    if (node.spec?.configSource) throw forbiddenError(resource, name, `node "${this.node}" is not allowed to create pods with a non-nil configSource`);
    const labels = forbiddenNodeLabels(node.metadata?.labels, undefined);
    if (labels.length > 0) throw forbiddenError(resource, name, `node "${this.node}" is not allowed to set the following labels: ${labels.join(", ")}`);
    // Beyond upstream: an owner reference hands the Node's life to the garbage collector (a missing owner deletes it).
    if ((node.metadata?.ownerReferences ?? []).length > 0) throw forbiddenError(resource, name, `node "${this.node}" is not allowed to set ownerReferences`);
  }

  private admitNodeChange(resource: ResourceInfo, name: string, next: Node, current: Node): void {
    if (next.spec?.configSource && JSON.stringify(next.spec.configSource) !== JSON.stringify(current.spec?.configSource)) {
      throw forbiddenError(resource, name, `node "${this.node}" is not allowed to update configSource to a new non-nil configSource`);
    }
    if (JSON.stringify(next.spec?.taints ?? []) !== JSON.stringify(current.spec?.taints ?? [])) {
      throw forbiddenError(resource, name, `node "${this.node}" is not allowed to modify taints`);
    }
    const labels = forbiddenNodeLabels(next.metadata?.labels, current.metadata?.labels);
    if (labels.length > 0) throw forbiddenError(resource, name, `is not allowed to modify labels: ${labels.join(", ")}`);
    if (JSON.stringify(next.metadata?.ownerReferences ?? []) !== JSON.stringify(current.metadata?.ownerReferences ?? [])) {
      throw forbiddenError(resource, name, `node "${this.node}" is not allowed to modify ownerReferences`);
    }
  }

  private async admitPodStatus(resource: ResourceInfo, namespace: string | undefined, name: string): Promise<void> {
    if ((await this.podNode(resource, namespace, name)) !== this.node) {
      throw forbiddenError(resource, name, `node "${this.node}" can only update pod status for pods with spec.nodeName set to itself`);
    }
  }

  private async admitMirrorPod(resource: ResourceInfo, pod: Pod): Promise<void> {
    const name = nameOf(pod);
    const deny = (why: string): StatusError => forbiddenError(resource, name, why);
    const node = `node "${this.node}"`;
    if (pod.metadata?.annotations?.[mirrorPodAnnotation] === undefined) {
      throw deny(`pod does not have "${mirrorPodAnnotation}" annotation, ${node} can only create mirror pods`);
    }
    if (pod.spec?.nodeName !== this.node) throw deny(`${node} can only create pods with spec.nodeName set to itself`);
    const owners = pod.metadata.ownerReferences ?? [];
    if (owners.length > 1) throw deny(`${node} can only create pods with a single owner reference set to itself`);
    const owner = owners[0];
    if (!owner || owner.apiVersion !== "v1" || owner.kind !== "Node" || owner.name !== this.node) throw deny(`${node} can only create pods with an owner reference set to itself`);
    if (owner.controller !== true) throw deny(`${node} can only create pods with a controller owner reference set to itself`);
    if (owner.blockOwnerDeletion === true) throw deny(`${node} must not set blockOwnerDeletion on an owner reference`);
    const nodes = findResource("", "nodes");
    if (!nodes) throw internalError("nodes are not served");
    const self = await this.inner.get<Node>(nodes, undefined, this.node);
    const uid = self.metadata?.uid ?? "";
    if (owner.uid !== uid) throw deny(`node ${this.node} UID mismatch: expected ${owner.uid} got ${uid}`);
    const references = podReferences(pod);
    if (references) throw deny(`${node} can not create pods that reference ${references}`);
  }

  private admitLease(resource: ResourceInfo, namespace: string | undefined, name: string, leaseName: string | undefined): void {
    if (namespace !== nodeLeaseNamespace) throw forbiddenError(resource, name, `can only access leases in the "${nodeLeaseNamespace}" system namespace`);
    if (leaseName !== this.node) throw forbiddenError(resource, name, "can only access node lease with the same name as the requesting node");
  }
}
