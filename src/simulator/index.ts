/** The node simulator: simulated kubelets for annotated Nodes, with pod lifecycles described as stages. */
export { NodeSimulator, type NodeSimulatorOptions } from "./node-simulator.js";
export { defaultStages, loadStages, parseStages, type Stage, type StageConfig, type StageContainers, type StageDelay, type StageNext, type StageSelector } from "./stages.js";
export { defaultCapacity, nodeInternalIP, nodePodCIDR, simulatedAnnotation, type NodeCapacity } from "./node-status.js";
