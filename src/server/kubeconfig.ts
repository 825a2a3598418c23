import { stringify } from "yaml";
import { writeSecret } from "./pki.js";

/** What a kubeconfig for one cluster, user and context holds. */
export interface KubeconfigParams {
  server: string;
  /** PEM CA certificate; omitted for plain HTTP. */
  caCert?: string;
  /** Bearer token of the user. */
  token?: string;
  /** PEM client certificate and key of the user (instead of, or beside, a token). */
  clientCert?: string;
  clientKey?: string;
  user: string;
  clusterName?: string;
}

/** Renders a kubeconfig (YAML) with one cluster, one user (token and/or client certificate) and a current context. */
export function renderKubeconfig(p: KubeconfigParams): string {
  const cluster = p.clusterName ?? "everynode";
  const clusterEntry: Record<string, string> = { server: p.server };
  if (p.caCert) clusterEntry["certificate-authority-data"] = Buffer.from(p.caCert).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: cluster, cluster: clusterEntry }],
    users: [{ name: p.user, user: userEntry(p) }],
    contexts: [{ name: cluster, context: { cluster, user: p.user, namespace: "default" } }],
    "current-context": cluster,
    preferences: {},
  });
}

/** Writes a kubeconfig with mode 0600. */
export async function writeKubeconfig(path: string, p: KubeconfigParams): Promise<void> {
  await writeSecret(path, renderKubeconfig(p));
}

function userEntry(p: KubeconfigParams): Record<string, string> {
  const user: Record<string, string> = {};
  if (p.clientCert) user["client-certificate-data"] = Buffer.from(p.clientCert).toString("base64");
  if (p.clientKey) user["client-key-data"] = Buffer.from(p.clientKey).toString("base64");
  if (p.token) user.token = p.token;
  return user;
}
