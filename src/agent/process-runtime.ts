/**
 * The `process` runtime (like Nomad's raw_exec): each container is its argv run as host processes in a process
 * group of its own, under the shell shim of process-shim.ts. State lives in DATA/containers/<podUID>/<name>/<n>/
 * (meta.json, exit status, the two output FIFOs and, with `stdin` or `tty`, the input FIFO of container-stdin.ts),
 * so a restarted agent re-adopts the instances still running, input included. A `tty` container runs under util-linux
 * `script` (exec-terminal.ts). Images are not run: the container's command is a program of the host.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, constants as fsc, existsSync, openSync, readFileSync, readlinkSync } from "node:fs";
import { chown, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { Socket } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { shimArgs, shimScript } from "./process-shim.js";
import { ExecStartError, type AdoptedInstance, type ContainerExit, type ContainerHandle, type ContainerLaunch, type ExecProcess, type ExecRequest, type Runtime } from "./runtime.js";
import { ExecTerminal, terminalArgv } from "./exec-terminal.js";
import { closeStdin, ContainerTerminal, openStdin, stdinFifo, stdinHeld } from "./container-stdin.js";

const run = promisify(execFile);

/** Version reported as nodeInfo.containerRuntimeVersion. */
export const processRuntimeVersion = "process://0.1.0";
/** PATH of containers that set none (the usual container default). */
export const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

interface Meta { id: string; podUID: string; podNamespace: string; podName: string; containerName: string; attempt: number; startedAt: number; pid: number; stdin?: boolean }

/** Options of a ProcessRuntime. */
export interface ProcessRuntimeOptions {
  /** The agent's data directory. */
  dataDir: string;
  /** How often an adopted instance is checked for exit (default 1 s). */
  pollMs?: number;
  /**
   * How long output is still read after the container's main process ended (default 1 s): a process it left behind
   * may hold its stdout open, and the container has ended all the same, as with the kubelet.
   */
  outputGraceMs?: number;
}

/**
 * The absolute path of `cmd` on `path` (or `cmd` itself when it has a slash), undefined when not found; `root`
 * prefixes every lookup (`/proc/<pid>/root` looks through another process's mounts).
 */
export function lookPath(cmd: string, path: string, root = ""): string | undefined {
  if (cmd.includes("/")) return existsSync(root + cmd) ? cmd : undefined;
  for (const dir of path.split(":")) {
    if (dir && existsSync(root + join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}


/** Whether `pid` runs and is no zombie (an adopted shim's new parent may not have reaped it yet). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.charAt(stat.lastIndexOf(")") + 2) !== "Z";
  } catch {
    return false;
  }
}

/** Runs containers as host processes. */
export class ProcessRuntime implements Runtime {
  readonly version = processRuntimeVersion;
  private readonly root: string;
  private readonly shimPath: string;
  /** Output readers of the instances this agent follows. */
  private readonly readers = new Set<Reader>();

  /** Creates the runtime over `options.dataDir`. */
  constructor(private readonly options: ProcessRuntimeOptions) {
    this.root = join(options.dataDir, "containers");
    this.shimPath = join(options.dataDir, "shim.sh");
  }

  async unavailable(): Promise<string | undefined> {
    try {
      await mkdir(this.root, { recursive: true });
      await writeFile(this.shimPath, shimScript, { mode: 0o755 });
      await run("sh", ["-c", "command -v mkfifo >/dev/null"]);
      return undefined;
    } catch (err) {
      return `the process runtime cannot prepare ${this.root} or find sh and mkfifo: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  cannotRun(command: readonly string[] | undefined): string | undefined {
    if (command && command.length > 0) return undefined;
    return "the process runtime runs a container's command as a host process, and this container has no command (the image's entrypoint cannot be read without an image runtime); set command (kubectl run and kubectl debug take it after --)";
  }

  imageNotUsed(image: string): string {
    return `Container image "${image}" is not used: the process runtime runs the container's command as a host process, with the host's files and programs`;
  }

  async start(launch: ContainerLaunch): Promise<ContainerHandle> {
    const argv0 = launch.argv[0] ?? "";
    const path = launch.env.PATH ?? defaultPath;
    if (!lookPath(argv0, path)) throw new Error(`exec: "${argv0}": executable file not found in $PATH`);
    const dir = this.dir(launch.podUID, launch.containerName, launch.attempt);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    if (launch.uid !== undefined) await chown(dir, launch.uid, launch.gid ?? launch.uid);
    if (launch.workingDir) await mkdir(launch.workingDir, { recursive: true });
    // A terminal always reads the stdin FIFO: without stdin the shim's writer keeps it open and nothing is typed.
    await run("mkfifo", [join(dir, "out"), join(dir, "err"), ...(launch.stdin || launch.tty ? [join(dir, stdinFifo)] : [])]);
    const out = openSync(join(dir, "out"), fsc.O_RDWR);
    const err = openSync(join(dir, "err"), fsc.O_RDWR);
    // Readers open while a writer exists, so they see the end of output even if the container is over at once.
    const readers = this.follow(openReaders(dir));
    // Bind mounts need privileges the container's user may lack: then the shim sets them up as the agent's user
    // and the container drops to its user (setpriv) as it starts.
    const binds = launch.mounts.some((m) => m.hostPath !== m.containerPath);
    const drop = binds && launch.uid !== undefined && launch.uid !== process.getuid?.();
    const command = launch.tty ? terminalArgv(launch.argv) : launch.argv;
    if (launch.tty) command[0] = lookPath("script", defaultPath) ?? "script";
    const argv = drop ? ["setpriv", `--reuid=${launch.uid ?? 0}`, `--regid=${launch.gid ?? launch.uid ?? 0}`, "--clear-groups", "--", ...command] : command;
    const env = { PATH: defaultPath, ...(launch.tty ? { TERM: "xterm" } : {}), ...launch.env };
    let child: ChildProcess | undefined;
    try {
      child = spawn("sh", shimArgs(this.shimPath, join(dir, "exit"), launch.mounts, argv), {
        detached: true, stdio: ["ignore", out, err], env,
        cwd: launch.workingDir ?? "/", uid: drop ? undefined : launch.uid, gid: drop ? undefined : launch.gid ?? launch.uid,
      });
      const spawned = child;
      await new Promise<void>((resolve, reject) => {
        spawned.once("spawn", resolve);
        spawned.once("error", reject);
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const shim = child;
    shim.unref();
    const shimExit = new Promise<number>((resolve) => {
      shim.once("exit", (code, signal) => resolve(code ?? (signal === "SIGKILL" ? 137 : 143)));
    });
    const pid = child.pid ?? 0;
    // Running (and open to attach) only once the shim holds the container's input open.
    if (launch.stdin || launch.tty) await stdinHeld(pid, dir, shimExit);
    const meta: Meta = {
      id: randomBytes(32).toString("hex"), podUID: launch.podUID, podNamespace: launch.podNamespace, podName: launch.podName,
      containerName: launch.containerName, attempt: launch.attempt, startedAt: Date.now(), pid, stdin: launch.stdin === true,
    };
    await writeFile(join(dir, "meta.json"), JSON.stringify(meta));
    const drained = drain(readers, launch.onOutput);
    const exited = shimExit.then(async (code) => {
      await settle(drained, readers, this.options.outputGraceMs ?? 1000);
      return this.readExit(dir, code);
    });
    return this.handle(meta, exited, dir);
  }

  detach(): void {
    for (const r of this.readers) r.socket.destroy();
    this.readers.clear();
  }

  private follow(readers: Reader[]): Reader[] {
    for (const r of readers) {
      this.readers.add(r);
      r.socket.once("close", () => this.readers.delete(r));
    }
    return readers;
  }

  async adopt(onOutput: (instance: AdoptedInstance) => ContainerLaunch["onOutput"]): Promise<ContainerHandle[]> {
    const found: ContainerHandle[] = [];
    for (const podUID of await listDir(this.root)) {
      for (const name of await listDir(join(this.root, podUID))) {
        for (const attempt of await listDir(join(this.root, podUID, name))) {
          const dir = join(this.root, podUID, name, attempt);
          let meta: Meta;
          try {
            meta = JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as Meta;
          } catch {
            continue;
          }
          if (existsSync(join(dir, "exit")) || !processAlive(meta.pid) || !(await isShim(meta.pid, dir))) {
            const drained = Promise.resolve();
            found.push(this.handle(meta, drained.then(() => this.readExit(dir, undefined)), dir));
            continue;
          }
          const readers = this.follow(openReaders(dir));
          // The shim may have ended between the check and the open: then nothing would ever close the readers.
          if (!processAlive(meta.pid)) setTimeout(() => { for (const r of readers) r.socket.destroy(); }, 200);
          const drained = drain(readers, onOutput(meta));
          found.push(this.handle(meta, this.poll(meta.pid).then(() => drained).then(() => this.readExit(dir, undefined)), dir));
        }
      }
    }
    return found;
  }

  exec(request: ExecRequest): ExecProcess {
    const env = { PATH: defaultPath, ...request.env, ...(request.tty && !request.env.TERM ? { TERM: "xterm" } : {}) };
    const argv0 = request.argv[0] ?? "";
    // A container with volumes bind-mounted at other paths has a mount namespace of its own.
    const own = !ownMountNamespace(request.pid);
    // Looked up as the container sees its files; in its own mount namespace through /proc/<pid>/root.
    if (!lookPath(argv0, env.PATH, own ? `/proc/${request.pid}/root` : "")) throw new ExecStartError(`exec: "${argv0}": executable file not found in $PATH`);
    const size = request.size ?? { width: 80, height: 24 };
    const argv = request.tty ? terminalArgv(request.argv, size) : request.argv;
    if (request.tty) argv[0] = lookPath("script", defaultPath) ?? "script";
    const stdio: ("pipe" | "ignore")[] = [request.stdin ? "pipe" : "ignore", "pipe", "pipe"];
    const cwd = request.workingDir ?? "/";
    let child: ChildProcess;
    if (!own) {
      child = spawn(argv[0] ?? "", argv.slice(1), { cwd, env, uid: request.uid, gid: request.gid ?? request.uid, detached: true, stdio });
    } else {
      // Enter the container's mounts first, then become its user: setns needs the privileges the user may lack.
      const user = request.uid === undefined ? [] : [`--setuid=${request.uid}`, `--setgid=${request.gid ?? request.uid}`];
      child = spawn(lookPath("nsenter", defaultPath) ?? "nsenter", [`--mount=/proc/${request.pid}/ns/mnt`, `--wd=${cwd}`, ...user, "--", ...argv], { env, detached: true, stdio });
    }
    const pid = child.pid;
    const terminal = request.tty && pid !== undefined ? new ExecTerminal(pid, size, request.onError) : undefined;
    return {
      child,
      resize: (width, height) => terminal?.resize(width, height),
      kill: () => {
        terminal?.kill();
        if (pid !== undefined) signalGroup(pid, "SIGKILL");
      },
    };
  }

  async removePod(podUID: string): Promise<void> {
    await rm(join(this.root, podUID), { recursive: true, force: true });
  }

  private dir(podUID: string, name: string, attempt: number): string {
    return join(this.root, podUID, name, String(attempt));
  }

  private handle(meta: Meta, exited: Promise<ContainerExit>, dir: string): ContainerHandle {
    const terminal = new ContainerTerminal(meta.pid);
    return {
      openStdin: () => (meta.stdin ? openStdin(dir) : undefined),
      closeStdin: () => closeStdin(dir, meta.pid),
      resize: (width, height, onError) => terminal.resize(width, height, onError),
      id: `process://${meta.id}`, podUID: meta.podUID, containerName: meta.containerName, attempt: meta.attempt,
      startedAt: meta.startedAt, pid: meta.pid, exited,
      signal: (sig) => signalGroup(meta.pid, sig),
      execArgv: (argv) => (ownMountNamespace(meta.pid) ? [...argv] : ["nsenter", `--mount=/proc/${meta.pid}/ns/mnt`, "--", ...argv]),
    };
  }

  private async poll(pid: number): Promise<void> {
    const every = this.options.pollMs ?? 1000;
    // Unreferenced: watching a process must not keep a stopping agent alive (see detach).
    while (processAlive(pid)) await new Promise((r) => setTimeout(r, every).unref());
  }

  private async readExit(dir: string, fallback: number | undefined): Promise<ContainerExit> {
    try {
      const code = Number((await readFile(join(dir, "exit"), "utf8")).trim());
      if (Number.isInteger(code)) return { exitCode: code, finishedAt: Date.now() };
    } catch {
      // No status written: the shim itself was killed.
    }
    return fallback === undefined ? { exitCode: 137, finishedAt: Date.now(), unknown: true } : { exitCode: fallback, finishedAt: Date.now() };
  }
}

interface Reader { stream: "stdout" | "stderr"; socket: Socket }

/** Opens the read ends of an instance's output FIFOs (non-blocking: they open with or without a writer). */
function openReaders(dir: string): Reader[] {
  return (["stdout", "stderr"] as const).map((stream) => {
    // The socket owns the descriptor and closes it when done.
    const fd = openSync(join(dir, stream === "stdout" ? "out" : "err"), fsc.O_RDONLY | fsc.O_NONBLOCK);
    return { stream, socket: new Socket({ fd, readable: true, writable: false }) };
  });
}

/** Passes output on until every writer closed the FIFOs; resolves then. */
async function drain(readers: readonly Reader[], onOutput: ContainerLaunch["onOutput"]): Promise<void> {
  await Promise.all(readers.map(({ stream, socket }) => new Promise<void>((resolve) => {
    socket.on("data", (chunk: Buffer) => onOutput(stream, chunk));
    socket.once("end", () => { socket.destroy(); resolve(); });
    socket.once("close", () => resolve());
    socket.once("error", () => resolve());
  })));
}

/** Waits for `drained`, at most `graceMs`; then stops reading (writers left behind by the container keep nothing waiting). */
async function settle(drained: Promise<void>, readers: readonly Reader[], graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      for (const r of readers) r.socket.destroy();
      resolve();
    }, graceMs);
    timer.unref();
  });
  await Promise.race([drained, late]);
  clearTimeout(timer);
}

async function listDir(dir: string): Promise<string[]> {
  try { return await readdir(dir); } catch { return []; }
}

/** Whether process `pid` is a shim of the instance in `dir` (guards against pid reuse). */
async function isShim(pid: number, dir: string): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes(join(dir, "exit"));
  } catch {
    return false;
  }
}

/** Whether process `pid` shares the agent's mount namespace (true when that cannot be told). */
function ownMountNamespace(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`) === readlinkSync("/proc/self/ns/mnt");
  } catch {
    return true;
  }
}

/** Signals the process group led by `pid` (the shim and everything the container started in it). */
export function signalGroup(pid: number, signal: "SIGTERM" | "SIGKILL"): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
