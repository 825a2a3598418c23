/**
 * The object model: Kubernetes types from `kubernetes-types`, re-exported under one roof,
 * plus the few generic shapes the control plane passes around.
 */
export type { Namespace, NamespaceList, Node, NodeList, Pod, PodList, Event as CoreEvent, EventList, Binding, Taint, Toleration, NodeSelector, NodeSelectorTerm, NodeSelectorRequirement, Affinity, PodTemplateSpec, Container, PodSpec, PodStatus, NodeStatus, NodeSpec, NodeCondition, PodCondition, ContainerStatus, ObjectReference } from "kubernetes-types/core/v1.js";
export type { Service, ServicePort, Endpoints, EndpointSubset, EndpointAddress, EndpointPort } from "kubernetes-types/core/v1.js";
export type { EndpointSlice, Endpoint as SliceEndpoint, EndpointPort as SlicePort } from "kubernetes-types/discovery/v1.js";
export type { DaemonSet, DaemonSetList, DaemonSetSpec, DaemonSetStatus, DaemonSetUpdateStrategy, ControllerRevision, ControllerRevisionList } from "kubernetes-types/apps/v1.js";
export type { Lease, LeaseList } from "kubernetes-types/coordination/v1.js";
export type { DaemonJob, DaemonJobList, DaemonJobSpec, DaemonJobStatus, DaemonJobCondition } from "./daemonjob-types.js";
export type { ObjectMeta, ListMeta, Status, StatusDetails, StatusCause, DeleteOptions, OwnerReference, LabelSelector, LabelSelectorRequirement, Time, Preconditions } from "kubernetes-types/meta/v1.js";

import type { ObjectMeta, ListMeta } from "kubernetes-types/meta/v1.js";

/** An int-or-string value (e.g. `1` or `"10%"`). */
export type IntOrString = number | string;

/** What every typed API object has (kubernetes-types interfaces such as Pod or DaemonSet satisfy it). */
export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** Any API object: apiVersion/kind/metadata plus arbitrary other top-level fields (for generic handling). */
export interface KubeObject extends ApiObject {
  [field: string]: unknown;
}

/** A list of API objects as served by list calls. */
export interface KubeList<T extends ApiObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

/** A JSON value (what decoded request bodies and patches are made of). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };
