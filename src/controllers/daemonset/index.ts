/** The DaemonSet controller and its decision functions. */
export { DaemonSetController, daemonSetControllerComponent, type DaemonSetControllerOptions } from "./daemonset-controller.js";
export { DaemonPlacement, nodeShouldRunDaemonPod, type NodeDecision } from "./placement.js";
export { addDaemonTolerations, defaultDaemonTolerations } from "./tolerations.js";
export { newDaemonPod, daemonSetControllerRef, replaceNodeNameAffinity } from "./pod-template.js";
export { planManage, planNode, type ManagePlan, type NodePlanContext } from "./manage-plan.js";
export { planRollingUpdate, rollingUpdateLimits, allowsSurge, type RollingUpdatePlan } from "./rolling-update.js";
export { computeStatusCounts, statusNeedsUpdate, statusWithCounts, type DaemonSetCounts } from "./status.js";
export { computeTemplateHash, revisionData, hashAlphabet } from "./history-hash.js";
export { newRevision, revisionsToCleanup, currentTemplateHash } from "./history.js";
export { controllerRevisionHashLabel, podTemplateGenerationLabel, templateGenerationAnnotation } from "./labels.js";
