/**
 * RBAC escalation prevention, as upstream's RBAC storage does it: a Role or ClusterRole may only be written by
 * someone who holds every permission it grants (or may `escalate` on roles/clusterroles), a ClusterRole's
 * aggregationRule needs `*` on everything, and a RoleBinding or ClusterRoleBinding may only be written by someone
 * who holds every permission of the role it references (or may `bind` that role). Changes that touch only the
 * fields the garbage collector uses are let through. Refusals are 403 Forbidden with upstream's message; nothing
 * is written. Members of system:masters are never wrapped.
 */
import { mustFindResource, type ResourceInfo } from "../../api/resources.js";
import { isStatus } from "../../api/status-error.js";
import type { ApiObject, KubeObject } from "../../api/types.js";
import type { Client, PatchOptions, PatchOutcome, PatchType, WriteOptions } from "../../client/client.js";
import { jsonEqual } from "../../util/json.js";
import { admittedPatch } from "./admitted-patch.js";
import type { UserInfo } from "./auth.js";
import { forbiddenError } from "./authz-attributes.js";
import { ForwardingClient } from "./forwarding-client.js";
import { rbacAllows, rulesFor, rulesOf, type PolicyRule } from "./rbac-authorizer.js";
import { describeMissing, goQuotedList, missingRules } from "./rbac-coverage.js";

const rbacGroup = "rbac.authorization.k8s.io";
type Kind = "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings";

const fullAuthority: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"], resourceNames: [], nonResourceURLs: [] },
  { verbs: ["*"], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ["*"] },
];

function kindOf(resource: ResourceInfo): Kind | undefined {
  if (resource.group !== rbacGroup) return undefined;
  const r = resource.resource;
  return r === "roles" || r === "clusterroles" || r === "rolebindings" || r === "clusterrolebindings" ? r : undefined;
}

/** Upstream's IsOnlyMutatingGCFields: equal once owner references, finalizers and deletion fields are taken from `old`. */
function onlyGcFieldsChange(next: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject, from: KubeObject): unknown => {
    const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = o.metadata ?? {};
    const source = from.metadata ?? {};
    return { ...o, metadata: {
      ...meta, ownerReferences: source.ownerReferences, finalizers: source.finalizers,
      deletionTimestamp: source.deletionTimestamp, deletionGracePeriodSeconds: source.deletionGracePeriodSeconds,
    } };
  };
  return jsonEqual(strip(next, old), strip(old, old));
}

/** Wraps `client` so that RBAC writes made through it by `user` are checked for escalation (see the file comment). */
export function escalationCheckedClient(client: Client, user: UserInfo): Client {
  return new EscalationCheck(client, user);
}

class EscalationCheck extends ForwardingClient {
  constructor(inner: Client, private readonly user: UserInfo) {
    super(inner);
  }

  override async create<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    const kind = kindOf(resource);
    if (kind) await this.admit(kind, resource, namespace ?? object.metadata?.namespace, object as unknown as KubeObject, undefined);
    return this.inner.create<T>(resource, namespace, object, options);
  }

  override async update<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    const kind = kindOf(resource);
    if (!kind) return this.inner.update<T>(resource, namespace, object, options);
    const ns = namespace ?? object.metadata?.namespace;
    const current = await this.existing(resource, ns, object.metadata?.name ?? "");
    await this.admit(kind, resource, ns, object as unknown as KubeObject, current);
    // The check held against `current`: make it a precondition of the write.
    const meta = object.metadata ?? {};
    const guarded = current ? { ...object, metadata: { ...meta, resourceVersion: meta.resourceVersion ?? current.metadata?.resourceVersion } } : object;
    return this.inner.update<T>(resource, namespace, guarded, options);
  }

  override patchWithOutcome<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<PatchOutcome<T>> {
    const kind = kindOf(resource);
    if (!kind || options?.subresource) return this.inner.patchWithOutcome<T>(resource, namespace, name, type, patch, options);
    return admittedPatch<T>(this.inner, resource, namespace, name, type, patch, options, (result, current) => this.admit(kind, resource, namespace, result, current));
  }

  private async existing(resource: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.inner.get<KubeObject>(resource, namespace, name);
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private async admit(kind: Kind, resource: ResourceInfo, namespace: string | undefined, obj: KubeObject, old: KubeObject | undefined): Promise<void> {
    if (old && onlyGcFieldsChange(obj, old)) return;
    const name = obj.metadata?.name ?? "";
    const ns = kind === "roles" || kind === "rolebindings" ? namespace : undefined;
    const refuse = (why: string): Error => forbiddenError(resource, name, why);
    if (kind === "roles" || kind === "clusterroles") {
      const attrs = { user: this.user, verb: "escalate", group: rbacGroup, resource: kind, namespace: ns, name: old ? name : undefined };
      if (await rbacAllows(this.inner, attrs)) return;
      const held = await rulesFor(this.inner, this.user, ns);
      const missing = missingRules(held, rulesOf(obj));
      if (missing.length > 0) throw refuse(this.notHeld(missing));
      const aggregation = obj.aggregationRule;
      if (kind === "clusterroles" && aggregation && !jsonEqual(aggregation, old?.aggregationRule) && missingRules(held, fullAuthority).length > 0) {
        throw refuse("must have cluster-admin privileges to use the aggregationRule");
      }
      return;
    }
    const ref = (obj.roleRef ?? {}) as Record<string, unknown>;
    const refKind = ref.kind === "Role" ? "roles" : "clusterroles";
    const refName = typeof ref.name === "string" ? ref.name : "";
    if (await rbacAllows(this.inner, { user: this.user, verb: "bind", group: rbacGroup, resource: refKind, namespace: ns, name: refName })) return;
    const roleResource = mustFindResource(rbacGroup, refKind);
    const role = await this.existing(roleResource, refKind === "roles" ? ns : undefined, refName);
    if (!role) throw refuse(`${refKind}.${rbacGroup} "${refName}" not found`);
    const missing = missingRules(await rulesFor(this.inner, this.user, ns), rulesOf(role));
    if (missing.length > 0) throw refuse(this.notHeld(missing));
  }

  private notHeld(missing: PolicyRule[]): string {
    return `user "${this.user.name}" (groups=${goQuotedList(this.user.groups)}) is attempting to grant RBAC permissions not currently held:\n${describeMissing(missing)}`;
  }
}
