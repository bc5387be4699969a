import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import {
  evaluationMetricsSchema,
  jobStages,
  podLabels as labels,
  workerContainer,
  type JobStage,
  type Results,
} from '../../common/index.js';
import type { ObservedPod, ObservedPurgePod, PodPhase } from './types.js';

// Reads a worker pod, as the informer holds it, into the view decide() works on. The labels written by
// objects.ts are the only source of stage, attempt and rank: a pod without them is not one of ours.

const phases: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

export function observePod(pod: V1Pod): ObservedPod | undefined {
  const meta = pod.metadata;
  const stage = meta?.labels?.[labels.stage];
  const attempt = Number(meta?.labels?.[labels.attempt]);
  const nodeRank = Number(meta?.labels?.[labels.nodeRank]);
  if (!meta?.name || !isStage(stage) || !Number.isInteger(attempt) || !Number.isInteger(nodeRank))
    return undefined;
  const phase = phaseOf(pod);
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const reason = explain(pod);
  const exitCode = pod.status?.containerStatuses
    ?.map((status) => status.state?.terminated?.exitCode)
    .find((code) => code !== undefined && code !== 0);
  return {
    name: meta.name,
    stage,
    attempt,
    nodeRank,
    phase,
    ready,
    ...(meta.deletionTimestamp ? { deletionTimestamp: new Date(meta.deletionTimestamp).toISOString() } : {}),
    ...(reason ? { reason } : {}),
    ...(exitCode === undefined ? {} : { exitCode }),
  };
}

function phaseOf(pod: V1Pod): PodPhase {
  return phases.find((known) => known === pod.status?.phase) ?? (pod.status?.phase ? 'Unknown' : 'Pending');
}

/** The run-data purge pod (objects.ts buildPurgePod), as the finalizer waits on it. */
export function observePurgePod(pod: V1Pod): ObservedPurgePod | undefined {
  const meta = pod.metadata;
  if (!meta?.name) return undefined;
  const reason = explain(pod);
  return {
    name: meta.name,
    phase: phaseOf(pod),
    createdAt: new Date(meta.creationTimestamp ?? 0).toISOString(),
    ...(meta.deletionTimestamp ? { deletionTimestamp: new Date(meta.deletionTimestamp).toISOString() } : {}),
    ...(reason ? { reason } : {}),
  };
}

/**
 * The evaluate stage's metrics from its node-0 pod's termination message (the worker container's
 * state.terminated.message: rank 0 writes metrics.json's numbers to BACL_TERMINATION_LOG, the kubelet copies
 * up to 4096 bytes of it into the pod status). `uri` is metrics.json's location, which status.results names.
 * A problem (no message, not JSON, not the metrics schema) is said in words for the ResultsMissing message.
 */
export function resultsFromPod(pod: V1Pod, uri: string): { results: Results } | { problem: string } {
  const container = pod.status?.containerStatuses?.find((c) => c.name === workerContainer);
  const message = container?.state?.terminated?.message;
  const where = `pod ${pod.metadata?.name}'s termination message`;
  if (message === undefined || message.trim() === '') return { problem: `${where} is empty` };
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return { problem: `${where} is not JSON: ${JSON.stringify(message.slice(0, 80))}` };
  }
  const parsed = evaluationMetricsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      problem: `${where} is not the metrics: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    };
  }
  return { results: { ...parsed.data, uri } };
}

function isStage(value: string | undefined): value is JobStage {
  return jobStages.some((stage) => stage === value);
}

/** The most specific "why" a pod offers: a container's exit or wait, then the pod's own reason, then scheduling. */
function explain(pod: V1Pod): string | undefined {
  const containers = pod.status?.containerStatuses ?? [];
  const container = containers.map(containerReason).find((text) => text !== undefined);
  if (container) return container;
  const status = pod.status;
  if (status?.reason) return status.message ? `${status.reason}: ${status.message}` : status.reason;
  const unscheduled = status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled?.reason)
    return unscheduled.message ? `${unscheduled.reason}: ${unscheduled.message}` : unscheduled.reason;
  return undefined;
}

function containerReason(status: V1ContainerStatus): string | undefined {
  const terminated = status.state?.terminated;
  if (terminated && terminated.exitCode !== 0) {
    const text = `${terminated.reason ?? 'Error'} (exit ${terminated.exitCode})`;
    return terminated.message ? `${text}: ${terminated.message}` : text;
  }
  const waiting = status.state?.waiting;
  if (waiting?.reason && waiting.reason !== 'ContainerCreating') {
    return waiting.message ? `${waiting.reason}: ${waiting.message}` : waiting.reason;
  }
  return undefined;
}
