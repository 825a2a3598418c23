/**
 * Crash rounds of a highly available cluster: two `everynode up` processes on a three-member etcd cluster (one
 * data dir: shared CA and tokens), a DaemonSet rollout per round while kubectl writes through both servers. At a
 * seeded random moment of the rollout one server (the leader, or either) gets `kill -9` and so does one etcd
 * member; the surviving server must finish the rollout. Checks that every write kubectl saw acknowledged is
 * there, that no node ever runs two live pods of the DaemonSet, that the rollout completes, and that each node
 * got exactly one pod of the new template (no controller action repeated while leadership moved). Used by the
 * etcd e2e test and by `npm run soak -- --store etcd`.
 */
import { findResource, type ResourceInfo } from "../api/resources.js";
import type { KubeObject } from "../api/types.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { RestClient } from "../client/rest.js";
import { startEtcdCluster } from "../storage/testing/etcd-cluster.js";
import {
  daemonSetManifest, imageOf, lostWrites, prepareWorkDir, prng, settle, sleep, type CrashRoundOptions, type RoundReport,
} from "./crash-round.js";
import { UpProcess } from "./up-process.js";

/** How to run the rounds (see CrashRoundOptions; the kill moment is random within killWithinMs). */
export interface HaRoundOptions extends CrashRoundOptions {
  /** Which server is killed: always the one holding the controller Lease, or either at random. */
  victim: "leader" | "random";
}

/** What one round did and found (restartMs is the failover: kill to the survivor holding the Lease). */
export interface HaRoundReport extends RoundReport {
  victim: "leader" | "follower";
  /** Nodes that got more than one pod of the new template (must be 0). */
  repeatedCreates: number;
}

const pods = findResource("", "pods") as ResourceInfo;

/** Lease timing of the servers: a dead leader is replaced within about 3 s. */
const electionFlags = ["--leader-elect-lease-duration", "3s", "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "500ms"];

/** One API server process of the cluster, with the URL and Lease identity it printed. */
interface Server { up: UpProcess; url: string; identity: string }

/** Runs the rounds; see the file comment. Never leaves a process running. */
export async function runHaCrashRounds(o: HaRoundOptions): Promise<HaRoundReport[]> {
  const log = o.log ?? (() => undefined);
  const { dataDir, stagesPath, kubeconfig, kubectl: run } = await prepareWorkDir(o);
  const kubectl = (server: Server, args: string[], input?: string) => run(["--server", server.url, ...args], input);
  const kubectlOk = async (server: Server, args: string[], input?: string): Promise<string> => {
    const r = await kubectl(server, args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const random = prng(o.seed);
  const etcd = await startEtcdCluster({ members: 3 });
  const store = `etcd://${etcd.endpoints.join(",")}`;
  const startServer = async (): Promise<Server> => {
    const up = await UpProcess.start(dataDir, ["--store", store, "--nodes", String(o.nodes), "--stages", stagesPath, ...electionFlags], o.timeoutMs);
    const url = /listening on (\S+)/.exec(up.output())?.[1];
    const identity = /this server \(([^)]+)\)/.exec(up.output())?.[1];
    if (url === undefined || identity === undefined) throw new Error(`unexpected everynode up output:\n${up.output()}`);
    return { up, url, identity };
  };
  const clientOf = async (server: Server): Promise<RestClient> => new RestClient({ ...(await loadKubeconfig(kubeconfig)), server: server.url });
  const holder = async (server: Server): Promise<string> =>
    (await kubectl(server, ["get", "lease", "-n", "kube-system", "everynode-controller-manager", "-o", "jsonpath={.spec.holderIdentity}"])).stdout.trim();
  const servers: Server[] = [];
  const reports: HaRoundReport[] = [];
  try {
    servers.push(await startServer());
    servers.push(await startServer());
    const first = servers[0] as Server;
    let client = await clientOf(first);
    await kubectlOk(first, ["apply", "-f", "-"], daemonSetManifest(o.maxUnavailable));
    const initial = await settle(client, o.nodes, "registry.example/agent:r0", o.timeoutMs);
    client.close();
    if (!initial.settled) throw new Error(`the DaemonSet never ran on all ${o.nodes} nodes`);
    log(`DaemonSet running on ${o.nodes} nodes through two servers on a three-member etcd after ${initial.ms} ms`);

    for (let round = 1; round <= o.rounds; round++) {
      const leader = await holder(first);
      const leaderIndex = servers.findIndex((s) => s.identity === leader);
      const victimIndex = o.victim === "leader" && leaderIndex >= 0 ? leaderIndex : Math.floor(random() * 2);
      const victim = servers[victimIndex] as Server;
      const survivor = servers[1 - victimIndex] as Server;
      client = await clientOf(survivor);
      const image = `registry.example/agent:r${round}`;
      const creates = countCreates(client, image);
      const acked: string[] = [];
      const writer = { stopped: false };
      const writes = (async () => {
        for (let i = 0; !writer.stopped; i++) {
          const through = servers[i % 2] as Server;
          const ns = `ack-r${round}-${i}`;
          const label = `w-r${round}-${i}`;
          const r = i % 4 < 2 ? await kubectl(through, ["create", "namespace", ns]) : await kubectl(through, ["label", "ds", "agent", `${label}=v`]);
          if (r.code === 0) acked.push(i % 4 < 2 ? `namespace/${ns}` : `label/${label}`);
        }
      })();
      await sleep(Math.floor(random() * 300));
      await kubectlOk(survivor, ["set", "image", "ds/agent", `main=${image}`]);
      acked.push(`image/${image}`);
      const killAfterMs = Math.floor(random() * o.killWithinMs);
      await sleep(killAfterMs);
      const updatedAtKill = (await client.list(pods, "default", { labelSelector: "app=agent" })).items
        .filter((p) => !p.metadata?.deletionTimestamp && imageOf(p, false) === image).length;
      const member = etcd.members[Math.floor(random() * etcd.members.length)];
      const killedAt = Date.now();
      await Promise.all([victim.up.kill(), member?.kill()]);
      writer.stopped = true;
      await writes;
      while ((await holder(survivor).catch(() => "")) !== survivor.identity) {
        if (Date.now() - killedAt > o.timeoutMs) throw new Error("the surviving server never took the controller Lease");
        await sleep(100);
      }
      const failoverMs = Date.now() - killedAt;
      const readyAt = Date.now();
      const lost = await lostWrites(client, acked);
      const status = await kubectl(survivor, ["rollout", "status", "ds/agent", `--timeout=${Math.ceil(o.timeoutMs / 1000)}s`]);
      const converged = await settle(client, o.nodes, image, o.timeoutMs);
      const repeatedCreates = [...(await creates.stop()).values()].filter((n) => n > 1).length;
      const report: HaRoundReport = {
        round, victim: victimIndex === leaderIndex ? "leader" : "follower", killAfterMs, updatedAtKill, acknowledged: acked.length,
        verified: acked.length - lost.length, lost, duplicates: converged.duplicates, restartMs: failoverMs, repeatedCreates,
        convergeMs: converged.settled ? Date.now() - readyAt : -1, rolloutStatusOk: status.code === 0,
      };
      reports.push(report);
      log(`round ${round}: killed the ${report.victim} server and etcd member ${member?.name ?? "?"} ${killAfterMs} ms into the rollout (${updatedAtKill}/${o.nodes} pods updated); `
        + `${report.verified}/${report.acknowledged} acknowledged writes found; ${report.duplicates} nodes with duplicate pods; ${repeatedCreates} nodes given the new pod twice; `
        + `failover ${failoverMs} ms; converged in ${report.convergeMs} ms; rollout status ${report.rolloutStatusOk ? "ok" : `failed: ${status.stderr.trim()}`}`);
      client.close();
      await member?.restart();
      servers[victimIndex] = await startServer();
    }
  } finally {
    for (const s of servers) await s.up.stop();
    await etcd.stop();
  }
  return reports;
}

/** Watches pods through `client` and counts, per node, the pods created with `image`; stop() returns the counts. */
function countCreates(client: RestClient, image: string): { stop(): Promise<Map<string, number>> } {
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  const abort = new AbortController();
  const record = (pod: KubeObject): void => {
    const uid = pod.metadata?.uid ?? "";
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (seen.has(uid) || imageOf(pod, false) !== image || node === undefined) return;
    seen.add(uid);
    counts.set(node, (counts.get(node) ?? 0) + 1);
  };
  const relist = async (): Promise<string | undefined> => {
    const list = await client.list(pods, "default", { labelSelector: "app=agent" });
    for (const pod of list.items) record(pod);
    return list.metadata?.resourceVersion;
  };
  const watching = (async () => {
    let resourceVersion = await relist();
    while (!abort.signal.aborted) {
      try {
        for await (const event of client.watch(pods, "default", { labelSelector: "app=agent", resourceVersion }, abort.signal)) {
          if (event.type === "ERROR") {
            resourceVersion = await relist();
            break;
          }
          resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
          if (event.type === "ADDED" || event.type === "MODIFIED") record(event.object as KubeObject);
        }
      } catch {
        // The watch ended with the etcd member or the server it came through: resume from the last revision.
      }
      await sleep(100);
    }
  })();
  return { stop: async () => { abort.abort(); await watching.catch(() => undefined); return counts; } };
}
