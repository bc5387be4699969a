import type { BaclJobStatus, Condition, ConditionType, JobState } from '../../common/index.js';

// Conditions are the status's record; state is a summary computed from them (docs/adr/0004-bacljob-api.md).

export interface ConditionUpdate {
  type: ConditionType;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/**
 * Sets one condition. lastTransitionTime moves only when the status flips, so reconciling the same situation
 * twice writes the same object (and `kubectl describe` tells when things really changed).
 */
export function setCondition(
  status: BaclJobStatus,
  update: ConditionUpdate,
  now: Date,
  generation?: number,
): void {
  const conditions = status.conditions ?? [];
  const current = conditions.find((condition) => condition.type === update.type);
  const next: Condition = {
    ...update,
    lastTransitionTime:
      current && current.status === update.status ? current.lastTransitionTime : now.toISOString(),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
  status.conditions = current
    ? conditions.map((condition) => (condition === current ? next : condition))
    : [...conditions, next];
}

/** Sets a condition to False only if it exists; a condition that never applied is not added as False. */
export function clearCondition(
  status: BaclJobStatus,
  type: ConditionType,
  reason: string,
  message: string,
  now: Date,
  generation?: number,
): void {
  if (isTrue(status, type)) setCondition(status, { type, status: 'False', reason, message }, now, generation);
}

export function isTrue(status: BaclJobStatus, type: ConditionType): boolean {
  return (
    status.conditions?.some((condition) => condition.type === type && condition.status === 'True') ?? false
  );
}

/** The STATE column: the first true condition in order of precedence, else Pending. */
export function deriveState(status: BaclJobStatus): JobState {
  const precedence: [ConditionType, JobState][] = [
    ['Failed', 'Failed'],
    ['Succeeded', 'Succeeded'],
    ['Suspended', 'Suspended'],
    ['Restarting', 'Restarting'],
    ['Running', 'Running'],
  ];
  return precedence.find(([type]) => isTrue(status, type))?.[1] ?? 'Pending';
}

export function isTerminal(status: BaclJobStatus): boolean {
  return isTrue(status, 'Succeeded') || isTrue(status, 'Failed');
}
