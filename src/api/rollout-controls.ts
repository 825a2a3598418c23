/**
 * Rollout controls of a DaemonSet, carried as annotations so manifests stay valid apps/v1 everywhere:
 * pause, partition, a node selector for canaries, a progress deadline and automatic revert.
 * Parsing is pure: every annotation is checked on its own, an invalid one is reported as a field error
 * (path `metadata.annotations[<name>]`, as upstream names annotation fields) and treated as absent.
 */
import { parseLabelSelector, type Selector } from "./label-selector.js";
import { StatusError, fieldErrors, type FieldError } from "./status-error.js";

/** `"true"` stops replacing pods (nodes without a pod still get one). */
export const pausedAnnotation = "rollout.everynode.dev/paused";
/** `"N"`: N eligible nodes keep the old revision (non-negative integer). */
export const partitionAnnotation = "rollout.everynode.dev/partition";
/** A label selector in the `-l` string form: only matching nodes are updated. */
export const selectorAnnotation = "rollout.everynode.dev/selector";
/** `"N"` (positive integer): the rollout is reported stuck after N seconds without progress. */
export const progressDeadlineAnnotation = "rollout.everynode.dev/progress-deadline-seconds";
/** `"true"`: roll back to the last complete revision when the progress deadline is exceeded. */
export const autoRevertAnnotation = "rollout.everynode.dev/auto-revert";

/** Every rollout control annotation, in the order they are documented. */
export const rolloutControlAnnotations: readonly string[] = Object.freeze([
  pausedAnnotation, partitionAnnotation, selectorAnnotation, progressDeadlineAnnotation, autoRevertAnnotation,
]);

/** The parsed rollout controls; absent or invalid annotations take the defaults shown. */
export interface RolloutControls {
  /** Default false. */
  paused: boolean;
  /** Default 0: every node is updated. */
  partition: number;
  /** Absent (or the empty string): every node may be updated. */
  selector?: Selector;
  /** Absent: no Progressing condition is kept. */
  progressDeadlineSeconds?: number;
  /** Default false. */
  autoRevert: boolean;
}

/** The parse result: `controls` is always usable; `errors` lists each invalid annotation (empty = all valid). */
export interface ParsedRolloutControls {
  controls: RolloutControls;
  errors: FieldError[];
}

/** The largest partition and deadline accepted (upstream's int32 bound). */
export const maxRolloutControlInt = 2147483647;

/** `metadata.annotations[name]`, the field path upstream gives an annotation. */
export function annotationPath(name: string): string {
  return `metadata.annotations[${name}]`;
}

function parseBool(annotations: Record<string, string>, name: string, errors: FieldError[]): boolean {
  const value = annotations[name];
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  errors.push(fieldErrors.invalid(annotationPath(name), value, `must be "true" or "false"`));
  return false;
}

function parseInt32(annotations: Record<string, string>, name: string, min: number, errors: FieldError[]): number | undefined {
  const value = annotations[name];
  if (value === undefined) return undefined;
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= maxRolloutControlInt) return n;
  const lowest = min === 0 ? "a non-negative integer" : `an integer greater than or equal to ${min}`;
  errors.push(fieldErrors.invalid(annotationPath(name), value, `must be ${lowest} (at most ${maxRolloutControlInt})`));
  return undefined;
}

function parseSelector(annotations: Record<string, string>, errors: FieldError[]): Selector | undefined {
  const value = annotations[selectorAnnotation];
  if (value === undefined) return undefined;
  try {
    const selector = parseLabelSelector(value);
    return selector.empty() ? undefined : selector;
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    errors.push(fieldErrors.invalid(annotationPath(selectorAnnotation), value, `must be a label selector: ${e.message}`));
    return undefined;
  }
}

/**
 * Parses the rollout control annotations of a DaemonSet (undefined = none). Never throws on any string
 * values; each invalid annotation yields one field error and takes its default in `controls`.
 */
export function parseRolloutControls(annotations: Readonly<Record<string, string>> | undefined): ParsedRolloutControls {
  const a: Record<string, string> = {};
  for (const name of rolloutControlAnnotations) {
    const v = annotations !== undefined && Object.hasOwn(annotations, name) ? annotations[name] : undefined;
    if (typeof v === "string") a[name] = v;
  }
  const errors: FieldError[] = [];
  const controls: RolloutControls = {
    paused: parseBool(a, pausedAnnotation, errors),
    partition: parseInt32(a, partitionAnnotation, 0, errors) ?? 0,
    autoRevert: false,
  };
  const selector = parseSelector(a, errors);
  if (selector) controls.selector = selector;
  const deadline = parseInt32(a, progressDeadlineAnnotation, 1, errors);
  if (deadline !== undefined) controls.progressDeadlineSeconds = deadline;
  controls.autoRevert = parseBool(a, autoRevertAnnotation, errors);
  return { controls, errors };
}

/** True when any rollout control that holds pods back (pause, partition, selector) is in effect. */
export function rolloutHeldBack(controls: RolloutControls): boolean {
  return controls.paused || controls.partition > 0 || controls.selector !== undefined;
}
