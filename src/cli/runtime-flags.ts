/**
 * V8 flags the `everynode` executable runs with (they sit in bin/everynode.js's `#!/usr/bin/env -S node …` line, and
 * `npm run bench` passes them too, so in-process figures are those of `everynode up`).
 *
 * A busy control plane allocates short-lived objects at a high rate (decoded requests, watch events, copies): with
 * 64 MiB semi-spaces instead of V8's 16 MiB, far fewer of them survive a scavenge, and the garbage collector's share
 * of the CPU drops (about 15% → 8% while a DaemonSet converges on 10,000 nodes), for ~100 MiB more young generation.
 */
export const serverRuntimeFlags: readonly string[] = ["--max-semi-space-size=64"];
