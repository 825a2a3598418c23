/**
 * The Service variables the kubelet gives every container: the `kubernetes` ones (KUBERNETES_SERVICE_HOST and the
 * Docker link-style KUBERNETES_PORT_*) and the service links of the pod's namespace. Nothing here routes ClusterIPs
 * (there is no kube-proxy), so the `kubernetes` ones name the API server the agent itself reaches: in-cluster
 * clients (client-go's InClusterConfig, kubectl in a pod) work with the mounted service account token and CA.
 */
import type { Pod, Service } from "../api/types.js";

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

/** `FOO-BAR` → `FOO_BAR`. */
function envName(s: string): string {
  return s.replace(/-/g, "_").toUpperCase();
}

/**
 * The service link variables of `services`, as the kubelet sets them (`<NAME>_SERVICE_HOST`, `_SERVICE_PORT`,
 * `_SERVICE_PORT_<PORT NAME>`, and the Docker link variables `<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]`);
 * services without a ClusterIP (headless, ExternalName) give none.
 */
export function serviceLinkEnv(services: readonly Service[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    const ports = svc.spec?.ports ?? [];
    if (!ip || ip === "None" || ports.length === 0) continue;
    const name = envName(svc.metadata?.name ?? "");
    env[`${name}_SERVICE_HOST`] = ip;
    env[`${name}_SERVICE_PORT`] = String(ports[0]?.port ?? "");
    for (const p of ports) if (p.name) env[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? "TCP").toLowerCase();
      const url = `${proto}://${ip.includes(":") ? `[${ip}]` : ip}:${p.port}`;
      if (i === 0) env[`${name}_PORT`] = url;
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
      env[prefix] = url;
      env[`${prefix}_PROTO`] = proto;
      env[`${prefix}_PORT`] = String(p.port);
      env[`${prefix}_ADDR`] = ip;
    });
  }
  return env;
}

/**
 * The service variables of a container of `pod`: with `enableServiceLinks` (default true) those of the Services of
 * the pod's namespace, then the `kubernetes` ones (`apiServer`, when known) over them, as the kubelet gives the
 * master service precedence.
 */
export function podServiceEnv(pod: Pod, namespaceServices: readonly Service[], apiServer: { host: string; port: number } | undefined): Record<string, string> {
  const links = pod.spec?.enableServiceLinks === false ? {} : serviceLinkEnv(namespaceServices.filter((s) => !(s.metadata?.namespace === "default" && s.metadata.name === "kubernetes")));
  return { ...links, ...(apiServer ? kubernetesServiceEnv(apiServer) : {}) };
}
