// Inputs for decide() tests: a parsed job as the informer would hand it over, pods as the runner observes them.
import { parseBaclJob, type BaclJob, type BaclJobSpecInput, type JobStage } from '../../../common/index.js';
import {
  decide,
  finalizer,
  type Action,
  type Decision,
  type Observed,
  type ObservedPod,
  type PodPhase,
} from '../../../operator/internal.js';
import { minimalJob } from '../fixtures.js';

export const t0 = new Date('2026-11-25T10:00:00Z');
export const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);

export function job(spec: Partial<BaclJobSpecInput> = {}, status?: BaclJob['status']): BaclJob {
  const parsed = parseBaclJob(minimalJob('lvis', spec));
  return {
    ...parsed,
    metadata: {
      ...parsed.metadata,
      namespace: 'ml',
      uid: 'uid-1',
      generation: 1,
      creationTimestamp: t0.toISOString(),
      finalizers: [finalizer],
    },
    ...(status ? { status } : {}),
  };
}

const short: Record<JobStage, string> = {
  representation: 'rep',
  classifier: 'cls',
  baseline: 'base',
  evaluate: 'eval',
};

export function pod(
  stage: JobStage,
  attempt: number,
  nodeRank: number,
  phase: PodPhase,
  extra: Partial<ObservedPod> = {},
): ObservedPod {
  return {
    name: `lvis-${short[stage]}-${attempt}-${nodeRank}`,
    stage,
    attempt,
    nodeRank,
    phase,
    ready: phase === 'Running',
    ...extra,
  };
}

export function observed(pods: ObservedPod[] = [], extra: Partial<Observed> = {}): Observed {
  return { configMap: true, service: true, pods, ...extra };
}

/** Actions as short strings, so a test reads like the transition it checks. */
export function summarize(actions: Action[]): string[] {
  return actions.map((action) => {
    switch (action.type) {
      case 'CreatePod':
        return `CreatePod ${action.pod.metadata?.name}`;
      case 'DeletePod':
        return `DeletePod ${action.name}${action.force ? ' (force)' : ''}`;
      case 'RequeueAfter':
        return `RequeueAfter ${action.seconds}s`;
      case 'CreatePurgePod':
        return `CreatePurgePod ${action.pod.metadata?.name} ${action.uri}`;
      case 'DeletePurgePod':
        return `DeletePurgePod ${action.name}${action.purged ? ' (purged)' : ' (kept)'}`;
      default:
        return action.type;
    }
  });
}

/** The job after the runner wrote the decided status. */
export const withStatus = (current: BaclJob, decision: Decision): BaclJob => ({
  ...current,
  status: decision.status,
});

export function condition(status: BaclJob['status'], type: string): string | undefined {
  const found = status?.conditions?.find((c) => c.type === type);
  return found ? `${found.status} ${found.reason}` : undefined;
}

/** A two-node job whose representation group (attempt 0) has been running since t0 + 10 s. */
export function runningJob(spec: Partial<BaclJobSpecInput> = {}): BaclJob {
  let current = job({ nodes: 2, ...spec });
  current = withStatus(current, decide(current, observed(), t0));
  const running = [pod('representation', 0, 0, 'Running'), pod('representation', 0, 1, 'Running')];
  return withStatus(current, decide(current, observed(running), at(10)));
}

/** The same job after a user changed its run policy (kubectl patch). */
export function patched(current: BaclJob, runPolicy: Partial<BaclJob['spec']['runPolicy']>): BaclJob {
  return { ...current, spec: { ...current.spec, runPolicy: { ...current.spec.runPolicy, ...runPolicy } } };
}
