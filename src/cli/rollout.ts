/** `everynode rollout pause|resume|promote|status ds/NAME`: drives the rollout control annotations of a DaemonSet. */
import { homedir } from "node:os";
import { parseArgs as parseNodeArgs } from "node:util";
import {
  partitionAnnotation, pausedAnnotation, parseRolloutControls, rolloutControlAnnotations, selectorAnnotation,
} from "../api/rollout-controls.js";
import { mustFindResource } from "../api/resources.js";
import type { DaemonSet } from "../api/types.js";
import type { Client } from "../client/client.js";
import { UsageError } from "./flags.js";
import { resolveKubeTarget } from "./kube-target.js";

/** Usage text of `everynode rollout`. */
export const rolloutUsage = `Usage: everynode rollout pause|resume|promote|status ds/NAME [-n NAMESPACE] [--kubeconfig FILE] [--context NAME]

Controls the rolling update of a DaemonSet through its rollout.everynode.dev/* annotations.

Subcommands:
  pause     set rollout.everynode.dev/paused=true: no pod is replaced (new nodes still get pods)
  resume    remove rollout.everynode.dev/paused
  promote   remove paused, partition and selector: the rollout completes on every node
  status    print paused / held / rolling out / complete, the controls and the Progressing condition;
            exits 1 when the progress deadline is exceeded

Flags:
  -n, --namespace NS   the DaemonSet's namespace (default: the context's namespace, else default)
  --kubeconfig FILE    default: the first file of $KUBECONFIG, else ~/.kube/config
  --context NAME       the kubeconfig context (default: its current context)
`;

const daemonSets = mustFindResource("apps", "daemonsets");

/** Parses `ds/NAME` (also `daemonset/`, `daemonsets/`, `daemonset.apps/`, `daemonsets.apps/`). */
export function parseDaemonSetRef(arg: string | undefined): string {
  const m = /^(ds|daemonsets?|daemonsets?\.apps)\/([^/]+)$/.exec(arg ?? "");
  if (!m?.[2]) throw new UsageError(`expected ds/NAME, got ${JSON.stringify(arg ?? "")}`);
  return m[2];
}

/** Options of one run: where output goes and what the environment says. */
export interface RolloutRunOptions {
  out: (line: string) => void;
  envKubeconfig?: string;
  home?: string;
}

/** Runs `everynode rollout …` with the arguments after `rollout`; resolves to the exit code. */
export async function rollout(argv: string[], options: RolloutRunOptions): Promise<number> {
  let parsed: ReturnType<typeof parseNodeArgs<{ options: typeof flagOptions; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseNodeArgs({ args: argv, options: flagOptions, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) { options.out(rolloutUsage); return 0; }
  const [sub, ref, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  if (sub === undefined || !["pause", "resume", "promote", "status"].includes(sub)) {
    throw new UsageError(`unknown rollout subcommand ${JSON.stringify(sub ?? "")}: expected pause, resume, promote or status`);
  }
  const name = parseDaemonSetRef(ref);
  const target = await resolveKubeTarget({
    kubeconfig: values.kubeconfig, context: values.context, namespace: values.namespace,
    envKubeconfig: options.envKubeconfig, home: options.home ?? homedir(),
  }, "everynode-rollout");
  const ns = target.namespace;
  if (sub === "status") return status(target.client, ns, name, options.out);
  const remove = (keys: string[]): Record<string, null> => Object.fromEntries(keys.map((k) => [k, null]));
  const annotations = sub === "pause" ? { [pausedAnnotation]: "true" }
    : sub === "resume" ? remove([pausedAnnotation])
      : remove([pausedAnnotation, partitionAnnotation, selectorAnnotation]);
  await target.client.patch(daemonSets, ns, name, "merge", { metadata: { annotations } });
  options.out(`daemonset.apps/${name} ${sub === "pause" ? "paused" : sub === "resume" ? "resumed" : "promoted"}`);
  return 0;
}

const flagOptions = {
  namespace: { type: "string", short: "n" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The state line, the controls in effect and the Progressing condition; 1 when the deadline is exceeded. */
async function status(client: Client, ns: string, name: string, out: (line: string) => void): Promise<number> {
  const ds = await client.get<DaemonSet>(daemonSets, ns, name);
  const lines = describeRollout(ds);
  for (const line of lines.lines) out(line);
  return lines.deadlineExceeded ? 1 : 0;
}

/** What `rollout status` prints for a DaemonSet, and whether its progress deadline is exceeded. */
export function describeRollout(ds: DaemonSet): { lines: string[]; deadlineExceeded: boolean } {
  const name = ds.metadata?.name ?? "";
  const s = ds.status;
  const { controls } = parseRolloutControls(ds.metadata?.annotations);
  const desired = s?.desiredNumberScheduled ?? 0;
  const updated = s?.updatedNumberScheduled ?? 0;
  const available = s?.numberAvailable ?? 0;
  const counts = `${updated} of ${desired} nodes updated, ${available} available`;
  const progressing = s?.conditions?.find((c) => c.type === "Progressing");
  const deadlineExceeded = progressing?.status === "False" && progressing.reason === "ProgressDeadlineExceeded";
  const observed = (s?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0);
  const held: string[] = [];
  if (controls.partition > 0) held.push(`partition ${controls.partition}`);
  if (controls.selector) held.push(`selector ${controls.selector.toString()}`);
  let state: string;
  if (deadlineExceeded) state = `daemon set "${name}" rollout exceeded its progress deadline: ${counts}`;
  else if (controls.paused) state = `daemon set "${name}" rollout is paused: ${counts}`;
  else if (observed && updated >= desired && available >= desired) state = `daemon set "${name}" successfully rolled out`;
  else if (held.length > 0 && progressing?.reason === "RolloutPaused") state = `daemon set "${name}" rollout is held by ${held.join(" and ")}: ${counts}`;
  else state = `daemon set "${name}" is rolling out${held.length > 0 ? ` (held by ${held.join(" and ")})` : ""}: ${counts}`;
  const lines = [state];
  const set: string[] = [];
  const annotations = ds.metadata?.annotations ?? {};
  for (const key of rolloutControlAnnotations) if (annotations[key] !== undefined) set.push(`${key.slice(key.indexOf("/") + 1)}=${annotations[key]}`);
  if (set.length > 0) lines.push(`controls: ${set.join(" ")}`);
  if (progressing) lines.push(`Progressing=${progressing.status} (${progressing.reason ?? ""}): ${progressing.message ?? ""}`);
  return { lines, deadlineExceeded };
}
