/** core/v1 Service defaulting as upstream's SetDefaults_Service. */
import { type Obj, isAbsent, isObj } from "../validation/shape.js";

/** Service defaults: type ClusterIP, sessionAffinity None, port protocol TCP and targetPort = port, traffic policies. */
export function defaultService(svc: Obj): void {
  if (!isObj(svc.spec)) return;
  const spec = svc.spec;
  if (isAbsent(spec.type) || spec.type === "") spec.type = "ClusterIP";
  if (isAbsent(spec.sessionAffinity) || spec.sessionAffinity === "") spec.sessionAffinity = "None";
  if (spec.sessionAffinity === "ClientIP") {
    if (!isObj(spec.sessionAffinityConfig)) spec.sessionAffinityConfig = {};
    const config = spec.sessionAffinityConfig as Obj;
    if (!isObj(config.clientIP)) config.clientIP = {};
    const clientIP = config.clientIP as Obj;
    if (isAbsent(clientIP.timeoutSeconds)) clientIP.timeoutSeconds = 10800;
  }
  if (Array.isArray(spec.ports)) {
    for (const port of spec.ports) {
      if (!isObj(port)) continue;
      if (isAbsent(port.protocol) || port.protocol === "") port.protocol = "TCP";
      if (isAbsent(port.targetPort) || port.targetPort === 0 || port.targetPort === "") port.targetPort = port.port;
    }
  }
  const type = spec.type;
  if (type === "ClusterIP" || type === "NodePort" || type === "LoadBalancer") {
    if (isAbsent(spec.internalTrafficPolicy)) spec.internalTrafficPolicy = "Cluster";
  }
  if ((type === "NodePort" || type === "LoadBalancer") && isAbsent(spec.externalTrafficPolicy)) spec.externalTrafficPolicy = "Cluster";
  if (type === "LoadBalancer" && isAbsent(spec.allocateLoadBalancerNodePorts)) spec.allocateLoadBalancerNodePorts = true;
}
