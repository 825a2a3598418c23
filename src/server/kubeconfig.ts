import { stringify } from "yaml";
import { writeSecret } from "./pki.js";

/** What a kubeconfig for one cluster, user and context holds. */
export interface KubeconfigParams {
  server: string;
  /** PEM CA certificate; omitted for plain HTTP. */
  caCert?: string;
  token: string;
  user: string;
  clusterName?: string;
}

/** Renders a kubeconfig (YAML) with one cluster, one token user and a current context. */
export function renderKubeconfig(p: KubeconfigParams): string {
  const cluster = p.clusterName ?? "everynode";
  const clusterEntry: Record<string, string> = { server: p.server };
  if (p.caCert) clusterEntry["certificate-authority-data"] = Buffer.from(p.caCert).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: cluster, cluster: clusterEntry }],
    users: [{ name: p.user, user: { token: p.token } }],
    contexts: [{ name: cluster, context: { cluster, user: p.user, namespace: "default" } }],
    "current-context": cluster,
    preferences: {},
  });
}

/** Writes a kubeconfig with mode 0600. */
export async function writeKubeconfig(path: string, p: KubeconfigParams): Promise<void> {
  await writeSecret(path, renderKubeconfig(p));
}
