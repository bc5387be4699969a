import type { BaclJobStatus, Condition } from '../../common/index.js';

// Status objects as the operator writes them, for the CLI tests to put on real objects through /status.

/** RFC 3339 without fractions, as the CRD's date-time format and the operator write it. */
export const rfc3339 = (date: Date = new Date()): string => date.toISOString().replace(/\.\d+Z$/, 'Z');

export function condition(
  type: Condition['type'],
  status: Condition['status'],
  reason: string,
  message = '',
): Condition {
  return { type, status, reason, message, lastTransitionTime: rfc3339() };
}

export function runningStatus(step = 420): BaclJobStatus {
  return {
    state: 'Running',
    stage: 'classifier',
    attempt: 1,
    restarts: 1,
    conditions: [
      condition('Created', 'True', 'JobCreated', 'pods created'),
      condition('Running', 'True', 'GroupRunning', 'every rank is running'),
    ],
    workers: { desired: 2, ready: 2, active: 2, succeeded: 0, failed: 0, summary: '2/2' },
    progress: {
      stage: 'classifier',
      epoch: 3,
      step,
      totalSteps: 1000,
      percent: step / 10,
      imagesPerSecond: 312.5,
      loss: 0.8123,
      etaSeconds: 720,
      summary: `${Math.round(step / 10)}%`,
    },
    lastCheckpoint: {
      uri: 's3://bacl/runs/ns/job/uid/classifier/ckpt-400',
      stage: 'classifier',
      step: 400,
      time: rfc3339(),
    },
  };
}

export function succeededStatus(): BaclJobStatus {
  return {
    ...runningStatus(1000),
    state: 'Succeeded',
    stage: 'evaluate',
    conditions: [
      condition('Created', 'True', 'JobCreated', 'pods created'),
      condition('Running', 'False', 'JobSucceeded', 'the job succeeded'),
      condition('Succeeded', 'True', 'EvaluationDone', 'LVIS AP written to status.results'),
    ],
    results: {
      AP: 0.2631,
      AP50: 0.4312,
      APr: 0.1874,
      APc: 0.2533,
      APf: 0.3012,
      uri: 's3://bacl/runs/ns/job/uid/eval/metrics.json',
    },
    completionTime: rfc3339(),
  };
}

export function failedStatus(): BaclJobStatus {
  return {
    state: 'Failed',
    stage: 'representation',
    restarts: 3,
    conditions: [
      condition('Created', 'True', 'JobCreated', 'pods created'),
      condition('Failed', 'True', 'BackoffLimitExceeded', 'rank 3 OOMKilled after 3 restarts'),
    ],
  };
}
