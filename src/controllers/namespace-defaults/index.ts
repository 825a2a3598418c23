/**
 * The objects every namespace holds: the `default` ServiceAccount (kube-controller-manager's serviceaccount
 * controller) and the `kube-root-ca.crt` ConfigMap with the cluster CA (its root-ca-cert-publisher).
 */
import { mustFindResource } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import type { ControlLoopOptions } from "../../controller/control-loop.js";
import { NamespaceObjectController } from "./namespace-object-controller.js";

export { NamespaceObjectController, type NamespaceObject } from "./namespace-object-controller.js";

/** Name of the ConfigMap holding the cluster CA in every namespace. */
export const rootCaConfigMapName = "kube-root-ca.crt";

/** The description upstream's publisher sets on the ConfigMap. */
export const rootCaDescription = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/** Keeps the ServiceAccount `default` in every active namespace. */
export function defaultServiceAccountController(options: ControlLoopOptions): NamespaceObjectController {
  return new NamespaceObjectController(options, {
    controllerName: "serviceaccount-controller", resource: mustFindResource("", "serviceaccounts"), name: "default",
    desired: (namespace) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace } }),
  });
}

/** Keeps the ConfigMap `kube-root-ca.crt` (`data["ca.crt"]`: `caCert`, PEM) in every active namespace. */
export function rootCaPublisher(options: ControlLoopOptions, caCert: string): NamespaceObjectController {
  return new NamespaceObjectController(options, {
    controllerName: "root-ca-cert-publisher", resource: mustFindResource("", "configmaps"), name: rootCaConfigMapName,
    desired: (namespace) => ({
      apiVersion: "v1", kind: "ConfigMap",
      metadata: { name: rootCaConfigMapName, namespace, annotations: { "kubernetes.io/description": rootCaDescription } },
      data: { "ca.crt": caCert },
    }),
    repaired: (current: KubeObject, desired: KubeObject) => {
      const data = current.data as Record<string, unknown> | undefined;
      const annotations = current.metadata?.annotations ?? {};
      if (data?.["ca.crt"] === caCert && Object.keys(data).length === 1 && annotations["kubernetes.io/description"] === rootCaDescription) return undefined;
      return { ...current, metadata: { ...current.metadata, annotations: { ...annotations, "kubernetes.io/description": rootCaDescription } }, data: desired.data };
    },
  });
}
