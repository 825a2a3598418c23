/**
 * Starts real etcd clusters (the installed /usr/bin/etcd) for tests: every member on free loopback ports with
 * its data in a fresh temporary directory, and ends exactly the processes it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The etcd binary the tests run (Debian's etcd-server). */
export const etcdPath = "/usr/bin/etcd";

/** One member of a test etcd cluster. */
export interface EtcdMember {
  name: string;
  /** `http://127.0.0.1:PORT`, the client URL. */
  clientUrl: string;
  /** True while the member's process runs. */
  running(): boolean;
  /** Ends the member with SIGKILL and waits for its exit. */
  kill(): Promise<void>;
  /** Starts a killed member again on the same ports and data and waits until it reports healthy. */
  restart(): Promise<void>;
}

/** A test etcd cluster. */
export interface EtcdCluster {
  members: EtcdMember[];
  /** Client endpoints `127.0.0.1:PORT` of every member (the form `--store etcd://` takes). */
  endpoints: string[];
  /** Kills every member this cluster started and removes its data. */
  stop(): Promise<void>;
}

/** Options of a test etcd cluster. */
export interface EtcdClusterOptions {
  /** Number of members (default 1). */
  members?: number;
  /** Directory the members' data goes under (default a fresh one in /dev/shm, for fast tests). */
  parentDir?: string;
}

/** Free loopback TCP ports, all held until every one is chosen so none repeats. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<import("node:net").Server>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  })));
  const ports = servers.map((s) => { const a = s.address(); return typeof a === "object" && a !== null ? a.port : 0; });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Starts an etcd cluster of `members` members on loopback; resolves once every member answers /health. */
export async function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const count = options.members ?? 1;
  const dir = await mkdtemp(join(options.parentDir ?? (process.platform === "linux" ? "/dev/shm" : tmpdir()), "everynode-etcd-"));
  const ports = await freePorts(count * 2);
  const specs = Array.from({ length: count }, (_, i) => ({
    name: `m${i}`, client: `http://127.0.0.1:${ports[2 * i]}`, peer: `http://127.0.0.1:${ports[2 * i + 1]}`,
  }));
  const initialCluster = specs.map((s) => `${s.name}=${s.peer}`).join(",");
  const members = specs.map((spec) => new TestMember(spec.name, spec.client, [
    "--name", spec.name, "--data-dir", join(dir, spec.name),
    "--listen-client-urls", spec.client, "--advertise-client-urls", spec.client,
    "--listen-peer-urls", spec.peer, "--initial-advertise-peer-urls", spec.peer,
    "--initial-cluster", initialCluster, "--initial-cluster-state", "new", "--initial-cluster-token", dir,
    "--heartbeat-interval", "50", "--election-timeout", "500", "--logger", "zap", "--log-level", "error",
  ]));
  const stop = async (): Promise<void> => {
    await Promise.all(members.map((m) => m.kill()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    members.forEach((m) => m.spawn());
    await Promise.all(members.map((m) => m.healthy()));
  } catch (error) {
    await stop();
    throw error;
  }
  return { members, endpoints: specs.map((s) => s.client.slice("http://".length)), stop };
}

class TestMember implements EtcdMember {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stderr = "";

  constructor(readonly name: string, readonly clientUrl: string, private readonly args: string[]) {}

  spawn(): void {
    const child = spawn(etcdPath, this.args, { stdio: ["ignore", "ignore", "pipe"] });
    this.child = child;
    this.stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString()).slice(-4000); });
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.once("exit", () => { if (this.child === child) this.child = undefined; });
  }

  running(): boolean {
    return this.child !== undefined;
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill("SIGKILL");
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    this.args.splice(this.args.indexOf("--initial-cluster-state") + 1, 1, "existing");
    this.spawn();
    await this.healthy();
  }

  /** Polls /health until the member reports healthy (30 s at most). */
  async healthy(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child === undefined) throw new Error(`etcd member ${this.name} exited: ${this.stderr}`);
      const ok = await fetch(`${this.clientUrl}/health`, { signal: AbortSignal.timeout(1000) })
        .then(async (r) => r.ok && ((await r.json()) as { health?: string }).health === "true", () => false);
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`etcd member ${this.name} did not become healthy: ${this.stderr}`);
  }
}
