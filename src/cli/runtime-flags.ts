/**
 * V8 flags the `everynode` executable runs with (they sit in bin/everynode.js's `#!/usr/bin/env -S node …` line, and
 * `npm run bench` passes them too, so in-process figures are those of `everynode up`).
 *
 * A busy control plane allocates short-lived objects at a high rate (decoded requests, watch events, copies): with
 * 64 MiB semi-spaces instead of V8's 16 MiB, far fewer of them survive a scavenge, and the garbage collector's share
 * of the CPU drops (about 15% → 8% while a DaemonSet converges on 10,000 nodes), for ~100 MiB more young generation.
 *
 * `--heap-growing-percent=100` fixes the old generation's growth between full collections at twice what survived the
 * last one. Left to itself V8 lets a heap with a 4 GiB limit grow to ~2.5–4 times its live objects before collecting,
 * which at 10,000 nodes took each of the two threads' heaps (~360–450 MiB live) to ~0.9–1.1 GiB: peak RSS
 * 2,157–2,318 MiB → 1,664 MiB for the same run, at the same CPU (docs/benchmarks.md, "Heap growth").
 */
export const serverRuntimeFlags: readonly string[] = ["--max-semi-space-size=64", "--heap-growing-percent=100"];
