import type { BaclJob, BaclJobStatus, ConditionType } from '../../common/index.js';
import { clearCondition, setCondition } from './conditions.js';
import type { Action, Observed, ObservedPod } from './types.js';

// The state one decide() call builds up: the status being computed, the actions in order, and the earliest
// time something will change by itself (deadline, TTL, grace period), which becomes a RequeueAfter.

export class Reconciliation {
  readonly actions: Action[] = [];
  /** The minted NATS credentials Secret new worker pods mount (nats-credentials.ts); undefined: the job's own. */
  natsSecret: string | undefined;
  private wakeAt: number | undefined;

  constructor(
    readonly job: BaclJob,
    readonly observed: Observed,
    readonly now: Date,
    readonly graceSeconds: number,
    readonly status: BaclJobStatus,
  ) {}

  condition(type: ConditionType, value: 'True' | 'False', reason: string, message: string): void {
    setCondition(
      this.status,
      { type, status: value, reason, message },
      this.now,
      this.job.metadata.generation,
    );
  }

  /** Turns a True condition False; a condition that never applied is not added. */
  clear(type: ConditionType, reason: string, message: string): void {
    clearCondition(this.status, type, reason, message, this.now, this.job.metadata.generation);
  }

  deletePod(pod: ObservedPod, reason: string, force = false): void {
    this.actions.push({ type: 'DeletePod', name: pod.name, reason, force });
  }

  /** Asks to be reconciled again in `seconds` unless something else wakes the job earlier. */
  wakeIn(seconds: number): void {
    const at = this.now.getTime() + Math.max(1, Math.ceil(seconds)) * 1000;
    this.wakeAt = this.wakeAt === undefined ? at : Math.min(this.wakeAt, at);
  }

  /** The actions, with the requeue last. */
  finalActions(): Action[] {
    if (this.wakeAt === undefined) return this.actions;
    return [...this.actions, { type: 'RequeueAfter', seconds: (this.wakeAt - this.now.getTime()) / 1000 }];
  }
}
