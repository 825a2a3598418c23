import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, Pod, PodSpec } from "../api/types.js";
import { ClusterState, type NodeState } from "./cluster-state.js";
import { podDemand } from "./pod-demand.js";
import { pickCandidate, preemptionIneligibility, selectVictimsOnNode, type Candidate, type PodOnNode } from "./preemption.js";

function nodeState(pods: PodOnNode[], allocatable: Record<string, string> = { cpu: "4", memory: "8Gi", pods: "110" }): NodeState {
  const state = new ClusterState();
  const node: Node = { metadata: { name: "n" }, status: { allocatable } };
  state.setNode(node);
  for (const p of pods) state.observeBound(p.key, p.key, "n", () => p.demand);
  const s = state.get("n");
  assert.ok(s);
  return s;
}

function spec(cpu: string, hostPort?: number): PodSpec {
  return { containers: [{ name: "c", image: "x", resources: { requests: { cpu } }, ports: hostPort ? [{ containerPort: hostPort, hostPort }] : undefined }] };
}

function onNode(key: string, priority: number, cpu: string, startedAt = 0, hostPort?: number): PodOnNode {
  const s = spec(cpu, hostPort);
  return { key, priority, startedAt, demand: podDemand(s), pod: { metadata: { name: key }, spec: { ...s, priority } } };
}

const keys = (c: Candidate | undefined): string[] | undefined => c?.victims.map((v) => v.key);

describe("selectVictimsOnNode", () => {
  test("takes the fewest, least important pods that make room", () => {
    const pods = [onNode("low-big", 0, "2"), onNode("low-small", 0, "1"), onNode("mid", 10, "1")];
    const verdict = selectVictimsOnNode(spec("2"), podDemand(spec("2")), 100, nodeState(pods), pods, []);
    assert.ok("candidate" in verdict);
    // Removing all three, then giving back mid (priority 10) first, then low-big (fails), then low-small (fits).
    assert.deepEqual(keys(verdict.candidate), ["low-big"]);
  });

  test("equal and higher priority pods are never victims", () => {
    const pods = [onNode("same", 100, "2"), onNode("higher", 200, "2")];
    const verdict = selectVictimsOnNode(spec("1"), podDemand(spec("1")), 100, nodeState(pods), pods, []);
    assert.deepEqual(verdict, { reasons: ["No preemption victims found for incoming pod"] });
  });

  test("a node where even removing every lower pod does not help reports the filter's reasons", () => {
    const pods = [onNode("low", 0, "1"), onNode("high", 500, "3")];
    const verdict = selectVictimsOnNode(spec("2"), podDemand(spec("2")), 100, nodeState(pods), pods, []);
    assert.deepEqual(verdict, { reasons: ["Insufficient cpu"] });
  });

  test("host port conflicts are resolved by preemption", () => {
    const pods = [onNode("port-holder", 0, "0", 0, 9100), onNode("other", 0, "1")];
    const verdict = selectVictimsOnNode(spec("0", 9100), podDemand(spec("0", 9100)), 100, nodeState(pods), pods, []);
    assert.ok("candidate" in verdict);
    assert.deepEqual(keys(verdict.candidate), ["port-holder"]);
  });

  test("room held for nominated pods counts", () => {
    const pods = [onNode("a", 0, "1"), onNode("b", 0, "1")];
    const state = nodeState(pods, { cpu: "3", memory: "8Gi", pods: "110" });
    const held = [podDemand(spec("1"))];
    const verdict = selectVictimsOnNode(spec("2"), podDemand(spec("2")), 100, state, pods, held);
    assert.ok("candidate" in verdict);
    assert.equal(verdict.candidate.victims.length, 2);
    const without = selectVictimsOnNode(spec("2"), podDemand(spec("2")), 100, state, pods, []);
    assert.ok("candidate" in without);
    assert.equal(without.candidate.victims.length, 1);
  });

  test("the pod limit counts pods", () => {
    const pods = [onNode("a", 5, "0", 1), onNode("b", 5, "0", 2)];
    const verdict = selectVictimsOnNode(spec("0"), podDemand(spec("0")), 100, nodeState(pods, { cpu: "4", memory: "8Gi", pods: "2" }), pods, []);
    assert.ok("candidate" in verdict);
    assert.deepEqual(keys(verdict.candidate), ["b"], "the later-started pod of equal priority goes");
  });
});

describe("pickCandidate", () => {
  const c = (node: string, ...victims: PodOnNode[]): Candidate => ({ node, victims });
  test("lowest most important victim, then priority sum, then count, then latest start", () => {
    assert.equal(pickCandidate([c("a", onNode("x", 10, "1")), c("b", onNode("y", 5, "1"), onNode("z", 5, "1"))])?.node, "b");
    assert.equal(pickCandidate([c("a", onNode("x", 5, "1"), onNode("y", 1, "1")), c("b", onNode("z", 5, "1"), onNode("w", 0, "1"))])?.node, "b");
    assert.equal(pickCandidate([c("a", onNode("x", 5, "1"), onNode("y", 0, "1")), c("b", onNode("z", 5, "1"))])?.node, "b");
    assert.equal(pickCandidate([c("a", onNode("x", 5, "1", 100)), c("b", onNode("z", 5, "1", 200))])?.node, "b");
    assert.equal(pickCandidate([c("a", onNode("x", 5, "1", 100)), c("b", onNode("z", 5, "1", 100))])?.node, "a");
    assert.equal(pickCandidate([]), undefined);
  });
});

describe("preemptionIneligibility", () => {
  const pod = (priority: number, extra: Partial<PodSpec> = {}): Pod => ({ metadata: { name: "p" }, spec: { containers: [], priority, ...extra } });
  test("preemptionPolicy Never", () => {
    assert.equal(preemptionIneligibility(pod(100, { preemptionPolicy: "Never" }), undefined), "not eligible due to preemptionPolicy=Never.");
    assert.equal(preemptionIneligibility(pod(100), undefined), undefined);
  });
  test("a lower-priority pod terminating by preemption on the nominated node", () => {
    const victim: Pod = {
      metadata: { name: "v", deletionTimestamp: "2026-01-01T00:00:00Z" }, spec: { containers: [], priority: 0 },
      status: { conditions: [{ type: "DisruptionTarget", status: "True", reason: "PreemptionByScheduler" }] },
    };
    assert.equal(preemptionIneligibility(pod(100), [victim]), "not eligible due to a terminating pod on the nominated node.");
    assert.equal(preemptionIneligibility(pod(0), [victim]), undefined);
    assert.equal(preemptionIneligibility(pod(100), [{ ...victim, metadata: { name: "v" } }]), undefined);
  });
});
