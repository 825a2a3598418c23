/** `everynode plan -f ds.yaml`: what applying a DaemonSet manifest would do, told before anything is applied. */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { parseAllDocuments } from "yaml";
import { mustFindResource } from "../api/resources.js";
import { isStatus } from "../api/status-error.js";
import type { ControllerRevision, DaemonSet, Node, Pod } from "../api/types.js";
import type { Client } from "../client/client.js";
import { controllerRefOf } from "../controller/predicates.js";
import { formatPlan } from "../planner/format.js";
import { planDaemonSet, type PlanResult } from "../planner/plan.js";
import { parseArgs, UsageError } from "./flags.js";
import { resolveKubeTarget } from "./kube-target.js";

/** Usage text of `everynode plan`. */
export const planUsage = `Usage: everynode plan -f FILE [flags]

Tells what applying the DaemonSet manifest(s) in FILE would do to the live cluster, before anything is applied:
nodes that gain a pod, lose one, get theirs replaced or keep it (same template: nothing restarts); nodes where the
pod would be blocked, and why; the waves of the rollout (maxUnavailable / maxSurge and the rollout.everynode.dev
annotations); an estimated duration from the pod start-up and readiness times observed in the cluster. The
manifest is defaulted and validated by the server with a dry run (nothing is stored).

Flags:
  -f, --filename FILE   the manifest (YAML or JSON, several documents allowed; - reads stdin)
  -o, --output FORMAT   json for the plan as JSON (one object per DaemonSet; an array for several)
  -n, --namespace NS    namespace of manifests that name none (default: the context's, else default)
  --kubeconfig FILE     default: $KUBECONFIG (its first existing file), else ~/.kube/config
  --context NAME        the kubeconfig context (default: its current context)
`;

/** Where `plan` reads its environment and input from (the CLI entry passes the process's). */
export interface PlanEnvironment {
  env: { KUBECONFIG?: string; HOME?: string };
  readStdin: () => Promise<string>;
  /** Wall-clock now, epoch ms. */
  now: () => number;
}

const R = {
  daemonSets: mustFindResource("apps", "daemonsets"),
  revisions: mustFindResource("apps", "controllerrevisions"),
  nodes: mustFindResource("", "nodes"),
  pods: mustFindResource("", "pods"),
};

/** The DaemonSets of a manifest (other kinds are ignored; none is an error). */
export function daemonSetsOf(text: string, source: string): DaemonSet[] {
  const out: DaemonSet[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message ?? "invalid YAML"}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const items = isList(value) ? value.items : [value];
    for (const item of items) {
      const obj = item as { kind?: unknown; apiVersion?: unknown };
      if (obj.kind === "DaemonSet" && obj.apiVersion === "apps/v1") out.push(item as DaemonSet);
    }
  }
  if (out.length === 0) throw new Error(`${source}: no apps/v1 DaemonSet in the manifest`);
  return out;
}

function isList(value: unknown): value is { items: unknown[] } {
  return typeof value === "object" && value !== null && Array.isArray((value as { items?: unknown }).items) && String((value as { kind?: unknown }).kind ?? "").endsWith("List");
}

/** The plan of one DaemonSet manifest against the cluster behind `client` (reads, plus one dry-run write). */
export async function planManifest(client: Client, manifest: DaemonSet, target: { namespace: string; explicitNamespace: boolean }, nowMs: number): Promise<PlanResult> {
  const { namespace } = target;
  const name = manifest.metadata?.name;
  if (!name) throw new UsageError("the DaemonSet in the manifest has no metadata.name");
  const own = manifest.metadata?.namespace;
  if (own && own !== namespace && target.explicitNamespace) throw new UsageError(`the namespace from the provided object "${own}" does not match the namespace "${namespace}". You must pass '--namespace=${own}' to perform this operation.`);
  const ns = own ?? namespace;
  let live: DaemonSet | undefined;
  try {
    live = await client.get<DaemonSet>(R.daemonSets, ns, name);
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
  }
  const object: DaemonSet = { ...manifest, metadata: { ...manifest.metadata, namespace: ns, resourceVersion: undefined } };
  const desired = live
    ? await client.update<DaemonSet>(R.daemonSets, ns, object, { dryRun: true })
    : await client.create<DaemonSet>(R.daemonSets, ns, object, { dryRun: true });
  const [nodes, pods, revisions] = await Promise.all([
    client.list<Node>(R.nodes, undefined),
    client.list<Pod>(R.pods, undefined),
    live ? client.list<ControllerRevision>(R.revisions, ns) : Promise.resolve({ items: [] as ControllerRevision[] }),
  ]);
  const uid = live?.metadata?.uid;
  return planDaemonSet({
    desired, live, nodes: nodes.items, pods: pods.items, nowMs,
    revisions: revisions.items.filter((r) => uid !== undefined && controllerRefOf(r)?.uid === uid),
  });
}

/** Runs `everynode plan`; returns the exit code. */
export async function plan(argv: string[], out: (line: string) => void, environment: PlanEnvironment): Promise<number> {
  const { flags, positionals } = parseArgs(argv, { filename: "string", output: "string", namespace: "string", kubeconfig: "string", context: "string", help: "boolean" }, { f: "filename", o: "output", n: "namespace" });
  if (flags.help) { out(planUsage); return 0; }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ""}"`);
  if (typeof flags.filename !== "string") throw new UsageError("-f/--filename is required");
  const output = typeof flags.output === "string" ? flags.output : "";
  if (output !== "" && output !== "json") throw new UsageError(`invalid --output "${output}": want json (or none for the summary)`);
  const text = flags.filename === "-" ? await environment.readStdin() : await readFile(flags.filename, "utf8");
  const manifests = daemonSetsOf(text, flags.filename === "-" ? "stdin" : flags.filename);
  const explicitNamespace = typeof flags.namespace === "string";
  const { client, namespace } = await resolveKubeTarget({
    kubeconfig: typeof flags.kubeconfig === "string" ? flags.kubeconfig : undefined,
    context: typeof flags.context === "string" ? flags.context : undefined,
    namespace: explicitNamespace ? String(flags.namespace) : undefined,
    envKubeconfig: environment.env.KUBECONFIG, home: environment.env.HOME ?? homedir(),
  }, "everynode-plan");
  try {
    const results: PlanResult[] = [];
    for (const m of manifests) results.push(await planManifest(client, m, { namespace, explicitNamespace }, environment.now()));
    if (output === "json") {
      out(JSON.stringify(results.length === 1 ? results[0]?.plan : results.map((r) => r.plan), null, 2));
    } else {
      out(results.map(formatPlan).join("\n\n"));
    }
  } finally {
    client.close();
  }
  return 0;
}
