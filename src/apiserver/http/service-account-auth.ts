/**
 * The ServiceAccount token authenticator, as kube-apiserver's: a token this cluster's key signed authenticates as
 * `system:serviceaccount:<ns>:<name>` (groups `system:serviceaccounts`, `system:serviceaccounts:<ns>`) while it is
 * valid and what it names still exists — the ServiceAccount with the same uid, and the Pod or Secret it is bound
 * to; a legacy token while its Secret exists and still holds it.
 */
import { mustFindResource, type ResourceInfo } from "../../api/resources.js";
import { isStatus } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { isPlainObject } from "../../util/json.js";
import type { UserInfo } from "./auth.js";
import type { ObjectRef, ServiceAccountJwt } from "./service-account-jwt.js";

const serviceAccounts = mustFindResource("", "serviceaccounts");
const pods = mustFindResource("", "pods");
const secrets = mustFindResource("", "secrets");

/** The identity of the ServiceAccount `name` in `namespace` (uid: the ServiceAccount's). */
export function serviceAccountUser(namespace: string, name: string, uid: string): UserInfo {
  return { name: `system:serviceaccount:${namespace}:${name}`, uid, groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`] };
}

async function lookup(client: Client, resource: ResourceInfo, namespace: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.get<KubeObject>(resource, namespace, name);
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

function uidOf(o: KubeObject | undefined): string | undefined {
  return o?.metadata?.uid;
}

async function exists(client: Client, resource: ResourceInfo, namespace: string, ref: ObjectRef | undefined): Promise<boolean> {
  return ref === undefined || uidOf(await lookup(client, resource, namespace, ref.name)) === ref.uid;
}

/**
 * Authenticates a bearer token as a ServiceAccount: its user, or undefined when the token is not one of this
 * cluster's valid ServiceAccount tokens. Objects are read through `client`.
 */
export function serviceAccountAuthenticator(jwt: ServiceAccountJwt, client: Client, now: () => Date = () => new Date()): (token: string | undefined) => Promise<UserInfo | undefined> {
  return async (token) => {
    if (!token) return undefined;
    const verified = await jwt.verify(token, now());
    if (!verified) return undefined;
    if (verified.form === "bound") {
      const { namespace, serviceaccount, pod, secret } = verified.claim;
      if (!await exists(client, serviceAccounts, namespace, serviceaccount)) return undefined;
      if (!await exists(client, pods, namespace, pod) || !await exists(client, secrets, namespace, secret)) return undefined;
      return serviceAccountUser(namespace, serviceaccount.name, serviceaccount.uid);
    }
    const { namespace, serviceAccount, secretName } = verified;
    const stored = await lookup(client, secrets, namespace, secretName);
    const data = isPlainObject(stored?.data) ? stored.data : {};
    const held = typeof data.token === "string" ? Buffer.from(data.token, "base64").toString("utf8") : undefined;
    if (held !== token) return undefined;
    if (!await exists(client, serviceAccounts, namespace, serviceAccount)) return undefined;
    return serviceAccountUser(namespace, serviceAccount.name, serviceAccount.uid);
  };
}
