/**
 * The `kubernetes` Service variables the kubelet gives every container (KUBERNETES_SERVICE_HOST and the Docker
 * link-style KUBERNETES_PORT_*). Nothing here routes ClusterIPs (there is no kube-proxy), so they name the API
 * server the agent itself reaches: in-cluster clients (client-go's InClusterConfig, kubectl in a pod) work with
 * the mounted service account token and CA.
 */

/** The variables naming the API server at `host`:`port` as the `kubernetes` Service (port name `https`). */
export function kubernetesServiceEnv(apiServer: { host: string; port: number }): Record<string, string> {
  const { host, port } = apiServer;
  const url = `tcp://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const prefix = `KUBERNETES_PORT_${port}_TCP`;
  return {
    KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: String(port), KUBERNETES_SERVICE_PORT_HTTPS: String(port),
    KUBERNETES_PORT: url, [prefix]: url, [`${prefix}_PROTO`]: "tcp", [`${prefix}_PORT`]: String(port), [`${prefix}_ADDR`]: host,
  };
}
