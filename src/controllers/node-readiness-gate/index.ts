/** The node readiness gate controller (see api/readiness-gate.ts). */
export { NodeReadinessGateController, nodeReadinessGateControllerName } from "./node-readiness-gate-controller.js";
export { pendingGates, gatingDaemonSets, withoutConditionTaints, type GatingDaemonSet } from "./gate-decision.js";
