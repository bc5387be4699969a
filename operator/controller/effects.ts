import type { V1Pod } from '@kubernetes/client-node';
import { podLabels, type BaclJob } from '../../common/index.js';
import type { NatsUserMinter } from '../nats/job-user.js';
import { natsCredsFile } from '../reconcile/rank-env.js';
import type { Action } from '../reconcile/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { EventRecorder } from './events.js';
import type { KubeApi, RawJob } from './kube-api.js';

// The thin effect runner: executes decide()'s actions in order and stops at the first failure (the error goes
// up, the queue retries the key with backoff, and the next decide() sees what did happen). Every action is
// idempotent, so running a list twice is harmless: an existing object counts as created, a missing one as
// deleted. Each real change is logged in the kubebuilder voice and recorded as an Event on the job.

export interface EffectContext {
  api: KubeApi;
  events: EventRecorder;
  logger: Logger;
  signal: AbortSignal;
  /** Replaces the worker container's command (see ControllerOptions.workerCommand). */
  workerCommand?: string[];
  /** Signs the users of CreateNatsCredentials (decide asks only when the operator was given a signing key). */
  natsMinter?: NatsUserMinter;
  /** Told each minted credentials Secret that now exists (created, or found existing). */
  onNatsSecret?: (namespace: string, name: string) => void;
}

export interface EffectOutcome {
  /** The job as last written (a finalizer change returns a new resourceVersion). */
  raw: RawJob;
  /** The job object was written (so the cache is behind until its watch event arrives). */
  wroteJob: boolean;
  requeueAfterMs?: number;
  /** The finalizer was removed: the job is gone for the operator. */
  released: boolean;
}

export async function runEffects(
  context: EffectContext,
  job: BaclJob,
  raw: RawJob,
  actions: Action[],
): Promise<EffectOutcome> {
  const { api, events, logger, signal } = context;
  const namespace = job.metadata.namespace ?? 'default';
  const outcome: EffectOutcome = { raw, wroteJob: false, released: false };
  for (const action of actions) {
    signal.throwIfAborted();
    switch (action.type) {
      case 'AddFinalizer':
      case 'RemoveFinalizer': {
        const current = outcome.raw.metadata.finalizers ?? [];
        const adding = action.type === 'AddFinalizer';
        if (current.includes(action.finalizer) === adding) break;
        const next = adding ? [...current, action.finalizer] : current.filter((f) => f !== action.finalizer);
        outcome.raw = await api.setFinalizers(outcome.raw, next);
        outcome.wroteJob = true;
        outcome.released ||= !adding;
        logger.info(adding ? 'Added finalizer' : 'Removed finalizer', { finalizer: action.finalizer });
        break;
      }
      case 'CreateConfigMap':
        if ((await api.createConfigMap(namespace, action.configMap)) === 'created') {
          logger.info('Created config map', { configMap: action.configMap.metadata?.name });
          await events.record(
            job,
            'Normal',
            'CreatedConfigMap',
            `Created config map ${action.configMap.metadata?.name}`,
          );
        }
        break;
      case 'CreateService':
        if ((await api.createService(namespace, action.service)) === 'created') {
          logger.info('Created headless service', { service: action.service.metadata?.name });
          await events.record(
            job,
            'Normal',
            'CreatedService',
            `Created headless service ${action.service.metadata?.name}`,
          );
        }
        break;
      case 'CreateNatsCredentials': {
        if (!context.natsMinter)
          throw new Error(
            'CreateNatsCredentials without a NATS signing key (a bug: decide was given natsMinting)',
          );
        const name = action.secret.metadata?.name ?? '';
        // A fresh user per attempt to create: the credentials are never logged, only who and until when.
        const { creds, user } = context.natsMinter.mintJobUser(action.user);
        const secret = { ...action.secret, stringData: { [natsCredsFile]: creds } };
        if ((await api.createSecret(namespace, secret)) === 'created') {
          const expires = new Date(action.user.expires * 1000).toISOString();
          logger.info('Created NATS credentials', { secret: name, user, expires });
          await events.record(
            job,
            'Normal',
            'CreatedNatsCredentials',
            `Created Secret ${name}: NATS user ${user} for bacl.${action.user.namespace}.${action.user.job}.>, expires ${expires}`,
          );
        }
        context.onNatsSecret?.(namespace, name);
        break;
      }
      case 'CreatePod': {
        const pod = context.workerCommand ? withCommand(action.pod, context.workerCommand) : action.pod;
        if ((await api.createPod(namespace, pod)) === 'created') {
          const values = pod.metadata?.labels ?? {};
          const fields = {
            pod: pod.metadata?.name,
            stage: values[podLabels.stage],
            attempt: Number(values[podLabels.attempt]),
            rank: Number(values[podLabels.nodeRank]),
          };
          logger.info('Created worker pod', fields);
          await events.record(
            job,
            'Normal',
            'CreatedPod',
            `Created worker pod ${fields.pod} (stage ${fields.stage}, attempt ${fields.attempt}, node rank ${fields.rank})`,
          );
        }
        break;
      }
      case 'DeletePod':
        if ((await api.deletePod(namespace, action.name, action.force)) === 'deleted') {
          logger.info(action.force ? 'Force-deleted worker pod' : 'Deleted worker pod', {
            pod: action.name,
            reason: action.reason,
          });
          await events.record(
            job,
            action.force ? 'Warning' : 'Normal',
            'DeletedPod',
            `Deleted worker pod ${action.name}${action.force ? ' (forced)' : ''}: ${action.reason}`,
          );
        }
        break;
      case 'DeleteConfigMap':
        if ((await api.deleteConfigMap(namespace, action.name)) === 'deleted')
          logger.info('Deleted config map', { configMap: action.name });
        break;
      case 'DeleteService':
        if ((await api.deleteService(namespace, action.name)) === 'deleted')
          logger.info('Deleted headless service', { service: action.name });
        break;
      case 'CreatePurgePod': {
        const pod = context.workerCommand ? withCommand(action.pod, context.workerCommand) : action.pod;
        if ((await api.createPod(namespace, pod)) === 'created') {
          logger.info('Created purge pod', { pod: pod.metadata?.name, uri: action.uri });
          await events.record(
            job,
            'Normal',
            'PurgingRunData',
            `Created pod ${pod.metadata?.name} to delete the run data under ${action.uri}`,
          );
        }
        break;
      }
      case 'DeletePurgePod':
        if ((await api.deletePod(namespace, action.name, false)) === 'deleted' || action.purged) {
          logger.info(action.purged ? 'Deleted run data' : 'Deleted purge pod', {
            pod: action.name,
            uri: action.uri,
          });
          await events.record(
            job,
            'Normal',
            action.purged ? 'DeletedRunData' : 'KeptRunData',
            action.purged
              ? `Deleted the run data under ${action.uri} (pod ${action.name} succeeded)`
              : `Kept the run data under ${action.uri}: deleteRunDataOnDelete was turned off; deleted pod ${action.name}`,
          );
        }
        break;
      case 'DeleteJob':
        if ((await api.deleteJob(namespace, job.metadata.name)) === 'deleted') {
          logger.info('Deleted job', { reason: action.reason });
          await events.record(job, 'Normal', 'DeletedJob', `Deleting the job: ${action.reason}`);
        }
        break;
      case 'RequeueAfter':
        outcome.requeueAfterMs = Math.max(0, action.seconds * 1000);
        break;
    }
  }
  return outcome;
}

function withCommand(pod: V1Pod, command: string[]): V1Pod {
  const spec = pod.spec;
  if (!spec) return pod;
  return {
    ...pod,
    spec: { ...spec, containers: spec.containers.map((c, i) => (i === 0 ? { ...c, command } : c)) },
  };
}
