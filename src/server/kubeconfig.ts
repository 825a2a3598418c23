import { stringify } from "yaml";
import { writeSecret } from "./pki.js";

/** What a kubeconfig for one cluster, user and context holds. */
export interface KubeconfigParams {
  /** The server URL, or several (servers of one cluster): then one cluster and context per server. */
  server: string | readonly string[];
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

/**
 * Renders a kubeconfig (YAML) with one user (token and/or client certificate) and a cluster and context per
 * server: named `everynode` (or `clusterName`) for one server, `everynode-1`, `everynode-2`, … in the order given
 * for several (kubectl talks to one server per cluster entry); the current context is the first.
 */
export function renderKubeconfig(p: KubeconfigParams): string {
  const base = p.clusterName ?? "everynode";
  const servers = typeof p.server === "string" ? [p.server] : [...p.server];
  const names = servers.length === 1 ? [base] : servers.map((_, i) => `${base}-${i + 1}`);
  const clusters = servers.map((server, i) => {
    const entry: Record<string, string> = { server };
    if (p.caCert && server.startsWith("https:")) entry["certificate-authority-data"] = Buffer.from(p.caCert).toString("base64");
    return { name: names[i] ?? base, cluster: entry };
  });
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters,
    users: [{ name: p.user, user: userEntry(p) }],
    contexts: names.map((name) => ({ name, context: { cluster: name, user: p.user, namespace: "default" } })),
    "current-context": names[0] ?? base,
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
