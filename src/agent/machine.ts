/** Facts about the machine an agent runs on, read from the operating system: what the Node reports. */
import { readFile, statfs } from "node:fs/promises";
import { arch, cpus, freemem, hostname, networkInterfaces, release, totalmem } from "node:os";

/** A snapshot of the machine as the kubelet's node status setters see it. */
export interface MachineFacts {
  hostname: string;
  /** First non-loopback IPv4 address (the default-route interface's when known), else 127.0.0.1. */
  internalIP: string;
  cpuCount: number;
  memoryBytes: number;
  /** Memory available to new work (MemAvailable), bytes. */
  memoryAvailableBytes: number;
  /** Size and free space of the filesystem holding the data directory, bytes. */
  diskBytes: number;
  diskAvailableBytes: number;
  /** Free inodes fraction of that filesystem (0..1). */
  inodesFreeFraction: number;
  /** Running processes and the kernel's pid limit. */
  processes: number;
  pidMax: number;
  kernelVersion: string;
  osImage: string;
  machineID: string;
  bootID: string;
  /** Kubernetes architecture name (amd64, arm64, ...). */
  architecture: string;
}

async function readText(path: string): Promise<string | undefined> {
  try { return (await readFile(path, "utf8")).trim(); } catch { return undefined; }
}

/** The Kubernetes name of a Node.js architecture (`x64` → `amd64`). */
export function kubernetesArch(nodeArch: string): string {
  const names: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" };
  return names[nodeArch] ?? nodeArch;
}

/** The value of `key` in /proc/meminfo text, in bytes, or undefined. */
export function meminfoBytes(meminfo: string, key: string): number | undefined {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(meminfo);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** The interface of the IPv4 default route in /proc/net/route text, or undefined. */
export function defaultRouteInterface(routes: string): string | undefined {
  for (const line of routes.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === "00000000" && f[7] === "00000000") return f[0];
  }
  return undefined;
}

/** The node's InternalIP: `preferred` if given, else the default-route interface's IPv4, else any non-loopback IPv4. */
export function pickInternalIP(ifaces: NodeJS.Dict<import("node:os").NetworkInterfaceInfo[]>, routeIface: string | undefined, preferred?: string): string {
  if (preferred) return preferred;
  const v4 = (name: string): string | undefined => ifaces[name]?.find((a) => a.family === "IPv4" && !a.internal)?.address;
  if (routeIface) {
    const ip = v4(routeIface);
    if (ip) return ip;
  }
  for (const name of Object.keys(ifaces)) {
    const ip = v4(name);
    if (ip) return ip;
  }
  return "127.0.0.1";
}

/** Reads the machine's facts; `dataDir` selects the filesystem measured, `nodeIP` overrides the address. */
export async function readMachineFacts(dataDir: string, nodeIP?: string): Promise<MachineFacts> {
  const [meminfo, routes, osRelease, machineID, bootID, pidMax, loadavg, fs] = await Promise.all([
    readText("/proc/meminfo"), readText("/proc/net/route"), readText("/etc/os-release"), readText("/etc/machine-id"),
    readText("/proc/sys/kernel/random/boot_id"), readText("/proc/sys/kernel/pid_max"), readText("/proc/loadavg"),
    statfs(dataDir),
  ]);
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease ?? "")?.[1];
  const procs = /\d+\/(\d+)/.exec(loadavg ?? "")?.[1];
  return {
    hostname: hostname(),
    internalIP: pickInternalIP(networkInterfaces(), defaultRouteInterface(routes ?? ""), nodeIP),
    cpuCount: cpus().length,
    memoryBytes: meminfoBytes(meminfo ?? "", "MemTotal") ?? totalmem(),
    memoryAvailableBytes: meminfoBytes(meminfo ?? "", "MemAvailable") ?? freemem(),
    diskBytes: fs.blocks * fs.bsize,
    diskAvailableBytes: fs.bavail * fs.bsize,
    inodesFreeFraction: fs.files > 0 ? fs.ffree / fs.files : 1,
    processes: Number(procs ?? 0),
    pidMax: Number(pidMax ?? 32768),
    kernelVersion: release(),
    osImage: pretty ?? "Linux",
    machineID: machineID ?? "",
    bootID: bootID ?? "",
    architecture: kubernetesArch(arch()),
  };
}
