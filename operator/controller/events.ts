import type { CoreV1Event } from '@kubernetes/client-node';
import { baclJobResource, type BaclJob, type BaclJobStatus } from '../../common/index.js';
import type { Logger } from '../telemetry/logger.js';
import { describe } from './errors.js';
import type { KubeApi } from './kube-api.js';

// Kubernetes Events on the BaclJob (core/v1, what `kubectl describe` and `kubectl get events` show) for every
// create, delete, restart and terminal transition. An Event that cannot be written is logged and dropped: it
// is a record for people, never a reason to fail a reconcile.

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(job: BaclJob, type: EventType, reason: string, message: string): Promise<void>;
}

export const component = 'bacl-operator';

export class KubeEventRecorder implements EventRecorder {
  constructor(
    private readonly api: KubeApi,
    private readonly logger: Logger,
    /** reportingInstance: the pod name in a cluster, so two operators' events can be told apart. */
    private readonly instance: string,
  ) {}

  async record(job: BaclJob, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = job.metadata.namespace ?? 'default';
    const now = new Date();
    const event: CoreV1Event = {
      metadata: { generateName: `${job.metadata.name}.`, namespace },
      involvedObject: {
        apiVersion: baclJobResource.apiVersion,
        kind: baclJobResource.kind,
        name: job.metadata.name,
        namespace,
        uid: job.metadata.uid,
        resourceVersion: job.metadata.resourceVersion,
      },
      type,
      reason,
      message,
      source: { component },
      reportingComponent: component,
      reportingInstance: this.instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.api.createEvent(namespace, event);
    } catch (error) {
      this.logger.error('Failed to record event', { reason, error: describe(error) });
    }
  }
}

/**
 * The Events a status change deserves: a restart (Restarting turned True, or its message moved to a new
 * attempt), the terminal transitions, and a run-data purge that failed or overran (RunDataPurged turned False). Creates and deletes are recorded by the effect runner.
 */
export interface TransitionEvent {
  type: EventType;
  reason: string;
  message: string;
  /** The log line, in the operator's voice: "Restarted group", "Job failed". */
  log: string;
}

export function transitionEvents(before: BaclJobStatus | undefined, after: BaclJobStatus): TransitionEvent[] {
  const events: TransitionEvent[] = [];
  const condition = (status: BaclJobStatus | undefined, type: string) =>
    status?.conditions?.find((c) => c.type === type);
  const turnedTrue = (type: string) =>
    condition(after, type)?.status === 'True' && condition(before, type)?.status !== 'True';

  if ((after.restarts ?? 0) > (before?.restarts ?? 0)) {
    const restarting = condition(after, 'Restarting');
    events.push({
      type: 'Warning',
      reason: restarting?.reason ?? 'Restarting',
      message: restarting?.message ?? 'restarting',
      log: 'Restarted group',
    });
  }
  for (const [type, eventType, log] of [
    ['Suspended', 'Normal', 'Suspended job'],
    ['Succeeded', 'Normal', 'Job succeeded'],
    ['Failed', 'Warning', 'Job failed'],
  ] as const) {
    const current = condition(after, type);
    if (turnedTrue(type) && current)
      events.push({ type: eventType, reason: current.reason, message: current.message, log });
  }
  const suspended = condition(after, 'Suspended');
  if (
    suspended?.status === 'False' &&
    condition(before, 'Suspended')?.status === 'True' &&
    suspended.reason === 'JobResumed'
  )
    events.push({ type: 'Normal', reason: 'JobResumed', message: suspended.message, log: 'Resumed job' });
  const purge = condition(after, 'RunDataPurged');
  const purgeBefore = condition(before, 'RunDataPurged');
  if (purge?.status === 'False' && (purgeBefore?.status !== 'False' || purgeBefore.reason !== purge.reason))
    events.push({
      type: 'Warning',
      reason: purge.reason,
      message: purge.message,
      log: 'Run data purge failed',
    });
  if (after.stage !== undefined && before?.stage !== undefined && after.stage !== before.stage)
    events.push({
      type: 'Normal',
      reason: 'StageStarted',
      message: `stage ${before.stage} finished; stage ${after.stage} started`,
      log: 'Started stage',
    });
  return events;
}
