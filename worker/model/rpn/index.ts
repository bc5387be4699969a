// Public surface of the RPN: the head, its training targets and loss, and proposal generation.
export {
  disposeRpnOutputs,
  RPN_HEAD_DEFAULTS,
  RpnHead,
  type RpnHeadOptions,
  type RpnOutputs,
} from './rpn-head.js';
export { flattenLevels, rpnLoss, type RpnLosses } from './rpn-loss.js';
export {
  BACL_TRAIN_PROPOSALS,
  BASELINE_TRAIN_PROPOSALS,
  rpnProposals,
  TEST_PROPOSALS,
  type ProposalOptions,
  type Proposals,
} from './rpn-proposals.js';
export { rpnTargets, type RpnTargetOptions, type RpnTargets } from './rpn-targets.js';
