import type { RequestLabels } from "../../metrics/server-metrics.js";
import { queryBool } from "./query.js";
import type { Route } from "./router.js";

/** What the API handler reports about requests (ServerMetrics implements it). */
export interface ApiMetrics {
  /** Counts a finished request and records its latency (long-running requests only count). */
  observeRequest(labels: RequestLabels, code: number, seconds: number, longRunning: boolean): void;
  /** Marks a long-running request as started; the returned function marks it finished. */
  startLongRunning(labels: RequestLabels): () => void;
  /** The Prometheus text exposition. */
  text(): Promise<string>;
  /** Its content type. */
  readonly contentType: string;
}

/**
 * The labels upstream's request metrics give a request: the verb as kube-apiserver reports it (LIST and WATCH
 * for collection reads, APPLY for server-side apply, else the method; DELETECOLLECTION), and the scope.
 */
export function requestLabels(method: string, route: Route, query: URLSearchParams, contentType: string | undefined): RequestLabels {
  const dryRun = dryRunLabel(query);
  if (route.type !== "resource") return { verb: method, group: "", version: "", resource: "", subresource: "", scope: "", dryRun };
  const named = route.name !== undefined;
  let verb = method === "HEAD" ? "GET" : method;
  if (verb === "GET" && queryBool(query, "watch")) verb = "WATCH";
  else if (verb === "GET" && !named) verb = "LIST";
  else if (verb === "PATCH" && contentType?.startsWith("application/apply-patch")) verb = "APPLY";
  else if (verb === "DELETE" && !named) verb = "DELETECOLLECTION";
  const scope = named || verb === "POST" ? "resource" : route.namespace !== undefined ? "namespace" : "cluster";
  return { verb, group: route.resource.group, version: route.resource.version, resource: route.resource.resource, subresource: route.subresource ?? "", scope, dryRun };
}

/** Upstream's dry_run label: the distinct `dryRun` values, sorted and joined by commas; `invalid` for anything but `All`. */
function dryRunLabel(query: URLSearchParams): string {
  const values = [...new Set(query.getAll("dryRun"))].sort();
  return values.some((v) => v !== "All") ? "invalid" : values.join(",");
}
