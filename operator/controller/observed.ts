import type { V1Pod } from '@kubernetes/client-node';
import type { BaclJob, Results } from '../../common/index.js';
import { isTerminal } from '../reconcile/conditions.js';
import { configMapName, serviceName } from '../reconcile/naming.js';
import { observePod } from '../reconcile/observe.js';
import type { Observed, ObservedPod } from '../reconcile/types.js';
import type { Caches } from './informers.js';
import type { RankReports } from './rank-reports.js';
import type { RunData } from './run-data.js';

// Builds decide()'s view of the world from the informer caches, the latest rank reports and, only when the
// evaluate stage's rank 0 has succeeded, the job's metrics.json in S3. Nothing here writes.

export interface ObservedSources {
  caches: Caches;
  reports: RankReports;
  runData: RunData;
  /** metrics.json per job uid once read: the object is written once, so it is never read twice. */
  results: Map<string, Results>;
}

export async function buildObserved(job: BaclJob, sources: ObservedSources): Promise<Observed> {
  const { caches } = sources;
  const namespace = job.metadata.namespace ?? 'default';
  const name = job.metadata.name;
  const pods = caches.pods
    .list(namespace)
    .filter((pod) => ownedBy(pod, job))
    .flatMap((pod) => {
      const observed = observePod(pod);
      return observed ? [observed] : [];
    });
  const status = job.status ?? {};
  const observed: Observed = {
    configMap: caches.configMaps.get(configMapName(name), namespace) !== undefined,
    service: caches.services.get(serviceName(name), namespace) !== undefined,
    pods,
    ...sources.reports.reportsOf(`${namespace}/${name}`, status.attempt ?? 0),
  };
  if (evaluationFinished(job, pods)) {
    const uid = job.metadata.uid ?? '';
    const results = sources.results.get(uid) ?? (await sources.runData.readMetrics(job));
    if (results) {
      sources.results.set(uid, results);
      observed.results = results;
    }
  }
  return observed;
}

/** A pod with the job's label that an earlier job of the same name left behind (no GC ran) is not ours. */
function ownedBy(pod: V1Pod, job: BaclJob): boolean {
  const owner = pod.metadata?.ownerReferences?.find((ref) => ref.controller);
  return owner?.uid === job.metadata.uid;
}

/**
 * The current group is the evaluate stage's and its node-0 pod (rank 0's, which writes metrics.json after
 * every rank's detections are in, ADR 0029) succeeded: decide() needs the metrics now.
 */
function evaluationFinished(job: BaclJob, pods: ObservedPod[]): boolean {
  const status = job.status ?? {};
  if (status.stage !== 'evaluate' || isTerminal(status) || job.metadata.deletionTimestamp) return false;
  return pods.some(
    (pod) =>
      pod.stage === 'evaluate' &&
      pod.attempt === (status.attempt ?? 0) &&
      pod.nodeRank === 0 &&
      pod.phase === 'Succeeded',
  );
}
