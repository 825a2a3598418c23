import { startTestCluster } from "./harness.js";
import { seedWalkthrough } from "./testing/seed-walkthrough.js";

seedWalkthrough("seed commands and manifests on three nodes", () => startTestCluster({ nodes: 3 }));
