import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ContainerStatus, Pod } from "../api/types.js";
import { killingEvents, transitionEvents } from "./container-events.js";

const pod = (statuses?: ContainerStatus[]): Pod => ({
  metadata: { name: "web", namespace: "default", uid: "u1" },
  spec: { containers: [{ name: "app", image: "nginx:1.25" }], initContainers: [{ name: "init", image: "busybox" }] },
  status: statuses ? { containerStatuses: statuses } : {},
});
const status = (state: ContainerStatus["state"], name = "app"): ContainerStatus => ({ name, image: "", imageID: "", ready: false, restartCount: 0, state });
const running = { running: { startedAt: "2026-01-01T00:00:00Z" } };
const crash = { waiting: { reason: "CrashLoopBackOff" } };
const brief = (events: ReturnType<typeof transitionEvents>): string[] => events.map((e) => `${e.container} ${e.type} ${e.reason}: ${e.message}`);

describe("simulated kubelet events", () => {
  test("a container that starts: Pulled (already present), Created, Started", () => {
    assert.deepEqual(brief(transitionEvents(pod(), { containerStatuses: [status(running)] })), [
      'app Normal Pulled: Container image "nginx:1.25" already present on machine',
      "app Normal Created: Created container app",
      "app Normal Started: Started container app",
    ]);
    assert.deepEqual(brief(transitionEvents(pod(), { initContainerStatuses: [status({ terminated: { exitCode: 0 } }, "init")] })).map((l) => l.split(":")[0]),
      ["init Normal Pulled", "init Normal Created", "init Normal Started"]);
  });

  test("no events while it keeps running or completes; BackOff once on entering CrashLoopBackOff; started again after", () => {
    assert.deepEqual(transitionEvents(pod([status(running)]), { containerStatuses: [status(running)] }), []);
    assert.deepEqual(transitionEvents(pod([status(running)]), { containerStatuses: [status({ terminated: { exitCode: 0 } })] }), []);
    assert.deepEqual(brief(transitionEvents(pod([status(running)]), { containerStatuses: [status(crash)] })),
      ["app Warning BackOff: Back-off restarting failed container app in pod web_default(u1)"]);
    assert.deepEqual(transitionEvents(pod([status(crash)]), { containerStatuses: [status(crash)] }), []);
    assert.equal(transitionEvents(pod([status(crash)]), { containerStatuses: [status(running)] }).length, 3);
  });

  test("Killing for the running containers of a deleted pod", () => {
    assert.deepEqual(brief(killingEvents(pod([status(running), status({ terminated: { exitCode: 0 } }, "side")]))), ["app Normal Killing: Stopping container app"]);
  });
});
