import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  nodeSelectorMatches, nodeSelectorRequirementMatches, nodeSelectorTermMatches, podMatchesNodeSelectorAndAffinity, podTargetNodeName,
} from "./node-affinity.js";
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from "./types.js";

const labels = { zone: "a", gpu: "4", "kubernetes.io/hostname": "node1", empty: "" };
const node1: Node = { metadata: { name: "node1", labels } };
const node2: Node = { metadata: { name: "node2" } };

const expr = (key: string, operator: string, values?: string[]): NodeSelectorRequirement => (values ? { key, operator, values } : { key, operator });
const nameIn = (...values: string[]): NodeSelectorRequirement => ({ key: "metadata.name", operator: "In", values });
const withRequired = (terms: NodeSelectorTerm[], extra: Partial<PodSpec> = {}): PodSpec => ({
  containers: [], ...extra,
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
});

void describe("nodeSelectorRequirementMatches", () => {
  const cases: { name: string; req: NodeSelectorRequirement; labels?: Record<string, string>; want: boolean }[] = [
    { name: "In hit", req: expr("zone", "In", ["a", "b"]), want: true },
    { name: "In miss", req: expr("zone", "In", ["c"]), want: false },
    { name: "In missing key", req: expr("nope", "In", ["c"]), want: false },
    { name: "In empty value", req: expr("empty", "In", [""]), want: true },
    { name: "NotIn hit", req: expr("zone", "NotIn", ["c"]), want: true },
    { name: "NotIn miss", req: expr("zone", "NotIn", ["a"]), want: false },
    { name: "NotIn missing key", req: expr("nope", "NotIn", ["a"]), want: true },
    { name: "Exists", req: expr("zone", "Exists"), want: true },
    { name: "Exists empty value", req: expr("empty", "Exists", []), want: true },
    { name: "Exists missing", req: expr("nope", "Exists"), want: false },
    { name: "DoesNotExist missing", req: expr("nope", "DoesNotExist"), want: true },
    { name: "DoesNotExist present", req: expr("zone", "DoesNotExist"), want: false },
    { name: "Gt greater", req: expr("gpu", "Gt", ["3"]), want: true },
    { name: "Gt equal", req: expr("gpu", "Gt", ["4"]), want: false },
    { name: "Lt less", req: expr("gpu", "Lt", ["5"]), want: true },
    { name: "Lt equal", req: expr("gpu", "Lt", ["4"]), want: false },
    { name: "Gt non-integer value", req: expr("gpu", "Gt", ["x"]), want: false },
    { name: "Gt non-integer label", req: expr("zone", "Gt", ["1"]), want: false },
    { name: "Gt missing label", req: expr("nope", "Gt", ["1"]), want: false },
    { name: "Gt two values", req: expr("gpu", "Gt", ["1", "2"]), want: false },
    { name: "In without values is invalid", req: expr("zone", "In", []), want: false },
    { name: "NotIn without values is invalid", req: expr("nope", "NotIn"), want: false },
    { name: "Exists with values is invalid", req: expr("zone", "Exists", ["a"]), want: false },
    { name: "DoesNotExist with values is invalid", req: expr("nope", "DoesNotExist", ["a"]), want: false },
    { name: "unknown operator", req: expr("zone", "Equals", ["a"]), want: false },
    { name: "lower-case operator", req: expr("zone", "in", ["a"]), want: false },
    { name: "invalid key", req: expr("bad key", "NotIn", ["a"]), want: false },
    { name: "invalid value", req: expr("zone", "NotIn", ["not valid"]), want: false },
    { name: "no labels", req: expr("zone", "DoesNotExist"), labels: undefined, want: true },
  ];
  for (const c of cases) {
    void test(c.name, () => assert.equal(nodeSelectorRequirementMatches(c.req, "labels" in c ? c.labels : labels), c.want));
  }
});

void describe("nodeSelectorTermMatches", () => {
  const cases: { name: string; term: NodeSelectorTerm; node: Node; want: boolean }[] = [
    { name: "empty term", term: {}, node: node1, want: false },
    { name: "empty lists", term: { matchExpressions: [], matchFields: [] }, node: node1, want: false },
    { name: "expressions ANDed: all hold", term: { matchExpressions: [expr("zone", "In", ["a"]), expr("gpu", "Exists")] }, node: node1, want: true },
    { name: "expressions ANDed: one fails", term: { matchExpressions: [expr("zone", "In", ["a"]), expr("gpu", "DoesNotExist")] }, node: node1, want: false },
    { name: "expressions on a node without labels", term: { matchExpressions: [expr("zone", "NotIn", ["a"])] }, node: node2, want: true },
    { name: "matchFields In hit", term: { matchFields: [nameIn("node1")] }, node: node1, want: true },
    { name: "matchFields In miss", term: { matchFields: [nameIn("node1")] }, node: node2, want: false },
    { name: "matchFields NotIn", term: { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["node1"] }] }, node: node2, want: true },
    { name: "matchFields NotIn self", term: { matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["node1"] }] }, node: node1, want: false },
    { name: "matchFields other key", term: { matchFields: [{ key: "metadata.uid", operator: "In", values: ["node1"] }] }, node: node1, want: false },
    { name: "matchFields two values", term: { matchFields: [nameIn("node1", "node2")] }, node: node1, want: false },
    { name: "matchFields Exists", term: { matchFields: [{ key: "metadata.name", operator: "Exists" }] }, node: node1, want: false },
    { name: "expressions and fields both hold", term: { matchExpressions: [expr("zone", "In", ["a"])], matchFields: [nameIn("node1")] }, node: node1, want: true },
    { name: "fields hold, expression fails", term: { matchExpressions: [expr("zone", "In", ["b"])], matchFields: [nameIn("node1")] }, node: node1, want: false },
    { name: "one invalid expression poisons the term", term: { matchExpressions: [expr("zone", "In", ["a"]), expr("x", "Bogus")] }, node: node1, want: false },
    { name: "invalid field poisons the term", term: { matchExpressions: [expr("zone", "In", ["a"])], matchFields: [{ key: "spec.x", operator: "In", values: ["a"] }] }, node: node1, want: false },
  ];
  for (const c of cases) void test(c.name, () => assert.equal(nodeSelectorTermMatches(c.term, c.node), c.want));
});

void describe("nodeSelectorMatches", () => {
  const cases: { name: string; terms: NodeSelectorTerm[]; want: boolean }[] = [
    { name: "no terms", terms: [], want: false },
    { name: "single match", terms: [{ matchExpressions: [expr("zone", "In", ["a"])] }], want: true },
    { name: "ORed: second matches", terms: [{ matchExpressions: [expr("zone", "In", ["b"])] }, { matchFields: [nameIn("node1")] }], want: true },
    { name: "ORed: invalid term skipped", terms: [{ matchExpressions: [expr("zone", "Bad")] }, { matchExpressions: [expr("gpu", "Gt", ["1"])] }], want: true },
    { name: "ORed: empty term skipped", terms: [{}, { matchExpressions: [expr("zone", "In", ["c"])] }], want: false },
  ];
  for (const c of cases) void test(c.name, () => assert.equal(nodeSelectorMatches({ nodeSelectorTerms: c.terms }, node1), c.want));
});

void describe("podMatchesNodeSelectorAndAffinity", () => {
  const cases: { name: string; spec: PodSpec; node: Node; want: boolean }[] = [
    { name: "no constraints", spec: { containers: [] }, node: node2, want: true },
    { name: "nodeSelector match", spec: { containers: [], nodeSelector: { zone: "a", gpu: "4" } }, node: node1, want: true },
    { name: "nodeSelector value mismatch", spec: { containers: [], nodeSelector: { zone: "b" } }, node: node1, want: false },
    { name: "nodeSelector missing key with empty value", spec: { containers: [], nodeSelector: { nope: "" } }, node: node1, want: false },
    { name: "nodeSelector empty value present", spec: { containers: [], nodeSelector: { empty: "" } }, node: node1, want: true },
    { name: "nodeSelector on unlabeled node", spec: { containers: [], nodeSelector: { zone: "a" } }, node: node2, want: false },
    { name: "empty nodeSelector", spec: { containers: [], nodeSelector: {} }, node: node2, want: true },
    { name: "required affinity matches", spec: withRequired([{ matchFields: [nameIn("node1")] }]), node: node1, want: true },
    { name: "required affinity fails", spec: withRequired([{ matchFields: [nameIn("node1")] }]), node: node2, want: false },
    { name: "both hold", spec: withRequired([{ matchExpressions: [expr("gpu", "Lt", ["10"])] }], { nodeSelector: { zone: "a" } }), node: node1, want: true },
    { name: "selector holds, affinity fails", spec: withRequired([{ matchExpressions: [expr("gpu", "Gt", ["10"])] }], { nodeSelector: { zone: "a" } }), node: node1, want: false },
    { name: "affinity holds, selector fails", spec: withRequired([{ matchFields: [nameIn("node1")] }], { nodeSelector: { zone: "z" } }), node: node1, want: false },
    { name: "required with no terms", spec: withRequired([]), node: node1, want: false },
    {
      name: "only preferred affinity is ignored", node: node2, want: true,
      spec: { containers: [], affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchFields: [nameIn("node1")] } }] } } },
    },
  ];
  for (const c of cases) void test(c.name, () => assert.equal(podMatchesNodeSelectorAndAffinity(c.spec, c.node), c.want));
});

void describe("podTargetNodeName", () => {
  const cases: { name: string; spec: PodSpec; want: string | undefined }[] = [
    { name: "nodeName wins", spec: withRequired([{ matchFields: [nameIn("n2")] }], { nodeName: "n1" }), want: "n1" },
    { name: "from matchFields", spec: withRequired([{ matchFields: [nameIn("n2")] }]), want: "n2" },
    { name: "empty nodeName falls through", spec: withRequired([{ matchFields: [nameIn("n2")] }], { nodeName: "" }), want: "n2" },
    { name: "non-unique value", spec: withRequired([{ matchFields: [nameIn("n2", "n3")] }]), want: undefined },
    { name: "NotIn ignored", spec: withRequired([{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["n2"] }] }]), want: undefined },
    { name: "later In after NotIn", spec: withRequired([{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["x"] }, nameIn("n4")] }]), want: "n4" },
    { name: "second term", spec: withRequired([{ matchExpressions: [expr("zone", "In", ["a"])] }, { matchFields: [nameIn("n5")] }]), want: "n5" },
    { name: "matchExpressions on hostname label are not a target", spec: withRequired([{ matchExpressions: [expr("kubernetes.io/hostname", "In", ["n1"])] }]), want: undefined },
    { name: "no terms", spec: withRequired([]), want: undefined },
    { name: "no affinity", spec: { containers: [] }, want: undefined },
  ];
  for (const c of cases) void test(c.name, () => assert.equal(podTargetNodeName(c.spec), c.want));
});
