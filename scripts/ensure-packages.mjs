#!/usr/bin/env node
// Makes sure the Debian packages the tests start are present. As root it installs what is missing
// (apt-get update once, then apt-get install); otherwise it names the exact packages and fails.
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";

/** Each entry: the executable the tests run and the Debian package that provides it. */
const needed = [
  { bin: "/usr/bin/etcd", pkg: "etcd-server" },
  { bin: "/usr/bin/chromium", pkg: "chromium" },
  { bin: "/usr/bin/prometheus", pkg: "prometheus" },
  { bin: "/usr/bin/dig", pkg: "bind9-dnsutils" },
  { bin: "/usr/sbin/ip", alt: "/usr/bin/ip", pkg: "iproute2" },
  { bin: "/usr/bin/podman", pkg: "podman" },
];

const missing = needed.filter((n) => !existsSync(n.bin) && !(n.alt && existsSync(n.alt)));
if (missing.length === 0) process.exit(0);
const pkgs = missing.map((m) => m.pkg);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot) {
  console.error(`The tests need these Debian packages: ${pkgs.join(" ")}.\nInstall them as root: apt-get update && apt-get install -y ${pkgs.join(" ")}`);
  process.exit(1);
}
console.log(`installing Debian packages the tests need: ${pkgs.join(" ")}`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
try {
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs], { stdio: "inherit", env });
} catch (err) {
  console.error(`apt-get install ${pkgs.join(" ")} failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
const still = missing.filter((n) => !existsSync(n.bin) && !(n.alt && existsSync(n.alt)));
if (still.length > 0) {
  console.error(`still missing after apt-get install: ${still.map((s) => s.bin).join(", ")}`);
  process.exit(1);
}
