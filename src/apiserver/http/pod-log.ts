/**
 * `GET pods/<name>/log`: checks the pod and container as the API server does, then streams the container's log
 * from the agent's HTTPS endpoint on the pod's node (`/containerLogs/<ns>/<pod>/<container>`), presenting the API
 * server's kubelet client certificate and checking that the agent's certificate is the one its Node published.
 * Pods of simulated nodes answer the lines their lifecycle stages produced.
 */
import { mustFindResource } from "../../api/resources.js";
import { badRequest, statusError } from "../../api/status-error.js";
import type { Pod } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { agentOrigin, getFromAgent } from "./agent-request.js";
import { agentTargetOf, isSimulatedNode, readNode } from "./node-agent-target.js";
import type { RequestContext } from "./context.js";
import type { Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";

const podsResource = mustFindResource("", "pods");

/** How the API server reaches node agents. */
export interface NodeConnector {
  /** Reads pods and nodes regardless of the caller's rights (the caller was authorized for the subresource). */
  client: Client;
  /** PEM client certificate and key the agents accept (signed by the cluster CA). */
  cert: string;
  key: string;
}

const passThrough = ["follow", "previous", "sinceSeconds", "sinceTime", "timestamps", "tailLines", "limitBytes"];

/** The container a log request is about, with upstream's errors for a missing or wrong name. */
export function logContainer(pod: Pod, requested: string | null): string {
  const name = pod.metadata?.name ?? "";
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const inits = (pod.spec?.initContainers ?? []).map((c) => c.name);
  if (!requested) {
    if (containers.length === 1 && containers[0] !== undefined) return containers[0];
    const initPart = inits.length > 0 ? ` or one of the init containers: [${inits.join(" ")}]` : "";
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]${initPart}`);
  }
  if (!containers.includes(requested) && !inits.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** The lines a simulated pod's container "printed": one per lifecycle step its status records. */
export function simulatedLog(pod: Pod, container: string, timestamps: boolean): string {
  const status = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find((s) => s.name === container);
  const lines: [string, string][] = [];
  const image = status?.image ?? "";
  const last = status?.lastState?.terminated;
  if (last) lines.push([last.finishedAt ?? "", `simulated container ${container} (${image}) exited with code ${last.exitCode}`]);
  if (status?.state?.running) lines.push([status.state.running.startedAt ?? "", `simulated container ${container} (${image}) running on node ${pod.spec?.nodeName ?? ""}`]);
  if (status?.state?.terminated) lines.push([status.state.terminated.finishedAt ?? "", `simulated container ${container} (${image}) exited with code ${status.state.terminated.exitCode}`]);
  return lines.map(([t, l]) => `${timestamps ? `${t.replace(/Z$/, ".000000000Z")} ` : ""}${l}\n`).join("");
}

/** Serves `GET pods/<name>/log`. */
export async function podLog(ctx: RequestContext, route: ResourceRoute & { name: string }, connector: NodeConnector | undefined): Promise<Reply> {
  if (!connector) throw statusError(503, "ServiceUnavailable", "this API server has no credentials to reach node agents");
  const pod = await connector.client.get<Pod>(podsResource, route.namespace, route.name);
  const container = logContainer(pod, ctx.query.get("container"));
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${route.name} does not have a host assigned`);
  const node = await readNode(connector, nodeName);
  if (isSimulatedNode(node)) {
    return { kind: "raw", code: 200, contentType: "text/plain", body: simulatedLog(pod, container, ctx.query.get("timestamps") === "true") };
  }
  const target = agentTargetOf(node);
  const query = new URLSearchParams();
  for (const k of passThrough) { const v = ctx.query.get(k); if (v !== null) query.set(k, v); }
  const path = `/containerLogs/${encodeURIComponent(route.namespace ?? "")}/${encodeURIComponent(route.name)}/${encodeURIComponent(container)}?${query.toString()}`;
  let res;
  try {
    res = await getFromAgent(target, path, connector, ctx.signal);
  } catch (err) {
    throw statusError(500, "InternalError", `Get "${agentOrigin(target)}${path}": ${err instanceof Error ? err.message : String(err)}`);
  }
  const code = res.statusCode ?? 500;
  if (code !== 200) {
    let text = "";
    res.setEncoding("utf8");
    for await (const d of res) { if (text.length < 4096) text += String(d); }
    throw code === 404 ? statusError(404, "NotFound", text.trim()) : badRequest(text.trim());
  }
  ctx.res.statusCode = 200;
  ctx.res.setHeader("Content-Type", "text/plain");
  ctx.res.setHeader("Transfer-Encoding", "chunked");
  ctx.res.flushHeaders();
  res.pipe(ctx.res);
  res.once("error", () => ctx.res.destroy());
  return { kind: "streamed" };
}
