/** The scheduler: binds pending pods to feasible nodes with upstream's filters and failure messages. */
export { Scheduler, type SchedulerOptions } from "./scheduler.js";
export { fitErrorMessage, type Diagnosis } from "./fit-error.js";
export { preFilterNodeNames, runFilters, Reasons, type FilterFailure } from "./filters.js";
export { podDemand, type PodDemand } from "./pod-demand.js";
