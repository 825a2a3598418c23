import { mustFindResource } from "../api/resources.js";
import type { Node } from "../api/types.js";
import type { ControlPlane } from "../server/control-plane.js";
import { sleep, realClock } from "../util/clock.js";
import type { Progress } from "./progress.js";

const nodesResource = mustFindResource("", "nodes");

function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

/**
 * Follows nodes registering and turning Ready (from the shared node cache, never by listing) until `expected` are
 * Ready, reporting progress on `progress` every 250 ms, then prints one summary line with `out`.
 */
export async function reportReadiness(plane: ControlPlane, expected: number, startedAt: number, progress: Progress | undefined, out: (line: string) => void, signal: AbortSignal): Promise<void> {
  const store = plane.informers.informerFor<Node>(nodesResource).store;
  const clock = realClock();
  let ready = 0;
  while (!signal.aborted) {
    ready = 0;
    for (const node of store.list()) if (isReady(node)) ready++;
    if (ready >= expected && store.size >= expected) break;
    progress?.update(`nodes Ready (${store.size} registered)`, ready, expected);
    await sleep(clock, 250, signal);
  }
  if (signal.aborted) {
    progress?.finish();
    return;
  }
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  progress?.finish();
  out(`cluster ready: ${ready} node(s) Ready in ${seconds} s, API at ${plane.url}, dashboard at ${plane.url}/ui/`);
}
