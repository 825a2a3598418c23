/**
 * Label selectors: the string form clients send as `labelSelector=` and metav1.LabelSelector objects,
 * with the same grammar, validation messages and matching rules as the Kubernetes API.
 * The lexer, parser, requirement and selector model live in ./label-selector/.
 */
export { isQualifiedName as labelKeyErrors, isValidLabelValue as labelValueErrors } from "./validation/names.js";
export { newRequirement, requirementMatches, type LabelOperator, type Requirement } from "./label-selector/requirement.js";
export {
  exactLabelValue, labelSelectorFromObject, labelSelectorFromSet, matchesNothing, selectorFromRequirements, type Selector,
} from "./label-selector/selector.js";
export { parseLabelSelector } from "./label-selector/parser.js";
