import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fitErrorMessage, preemptionFailure, type Diagnosis } from "./fit-error.js";
import { Reasons, type FilterFailure } from "./filters.js";

const unresolvable = (reason: string): FilterFailure => ({ plugin: "X", code: "UnschedulableAndUnresolvable", reasons: [reason] });
const resolvable = (...reasons: string[]): FilterFailure => ({ plugin: "NodeResourcesFit", code: "Unschedulable", reasons });
const d = (numAllNodes: number, failures: FilterFailure[], skipped = 0, preFilterMessage?: string): Diagnosis =>
  ({ numAllNodes, failures, skipped, skippedReason: Reasons.preFilteredOut, preFilterMessage });

describe("fitErrorMessage", () => {
  const cases: [string, Diagnosis, string | undefined, string][] = [
    ["no nodes", d(0, []), undefined, "no nodes available to schedule pods"],
    ["reasons counted and sorted as strings",
      d(3, [unresolvable(Reasons.untoleratedTaint("node-role.kubernetes.io/control-plane", undefined)), unresolvable(Reasons.nodeAffinity), unresolvable(Reasons.untoleratedTaint("node-role.kubernetes.io/control-plane", ""))]), undefined,
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."],
    ["resolvable failures have no victims; skipped nodes count for NodeAffinity",
      d(4, [resolvable(Reasons.insufficient("cpu"))], 3), undefined,
      "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling."],
    ["several reasons from one node", d(1, [resolvable(Reasons.tooManyPods, Reasons.insufficient("cpu"), Reasons.insufficient("memory"))]), undefined,
      "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."],
    ["string sort puts 10 before 9", d(19, [...Array(10).fill(unresolvable(Reasons.unschedulable)), ...Array(9).fill(unresolvable(Reasons.nodeAffinity))]), undefined,
      "0/19 nodes are available: 10 node(s) were unschedulable, 9 node(s) didn't match Pod's node affinity/selector. preemption: 0/19 nodes are available: 19 Preemption is not helpful for scheduling."],
    ["pre-filter rejection", d(2, [], 0, Reasons.affinityConflict), undefined,
      "0/2 nodes are available: pod affinity terms conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."],
    ["preemptionPolicy Never", d(1, [unresolvable(Reasons.nodePorts)]), "Never",
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: not eligible due to preemptionPolicy=Never."],
    ["preemption found victims: no preemption part", { ...d(2, [resolvable(Reasons.insufficient("cpu"))], 1), postFilterMessage: "" }, undefined,
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) [NodeAffinity]."],
    ["preemption's own verdict", { ...d(2, [resolvable(Reasons.insufficient("cpu"))], 1), postFilterMessage: preemptionFailure(2, [[Reasons.insufficient("cpu")]]) }, undefined,
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/2 nodes are available: 1 Insufficient cpu, 1 Preemption is not helpful for scheduling."],
  ];
  for (const [name, diagnosis, policy, want] of cases) test(name, () => assert.equal(fitErrorMessage(diagnosis, policy), want));
});
