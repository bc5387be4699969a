import type { V1Pod } from '@kubernetes/client-node';
import { metricsObjectPath, type BaclJob } from '../../common/index.js';
import { isTerminal } from '../reconcile/conditions.js';
import { configMapName, purgePodName, runPrefix, serviceName } from '../reconcile/naming.js';
import { observePod, observePurgePod, resultsFromPod } from '../reconcile/observe.js';
import type { Observed, ObservedPod } from '../reconcile/types.js';
import type { Caches } from './informers.js';
import type { RankReports } from './rank-reports.js';

// Builds decide()'s view of the world from the informer caches and the latest rank reports. The evaluate
// stage's metrics come from its node-0 pod's termination message, which the pod cache holds like any status:
// the operator reads no S3 object and no Secret (ADR 0037). Nothing here writes or waits.

export interface ObservedSources {
  caches: Caches;
  reports: RankReports;
}

export function buildObserved(job: BaclJob, sources: ObservedSources): Observed {
  const { caches } = sources;
  const namespace = job.metadata.namespace ?? 'default';
  const name = job.metadata.name;
  const owned = caches.pods.list(namespace).filter((pod) => ownedBy(pod, job));
  const byName = new Map<string, V1Pod>(owned.map((pod) => [pod.metadata?.name ?? '', pod]));
  const pods = owned.flatMap((pod) => {
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
  const purge = byName.get(purgePodName(name));
  const purgePod = purge && observePurgePod(purge);
  if (purgePod) observed.purgePod = purgePod;
  const evaluator = finishedEvaluator(job, pods);
  const evaluatorPod = evaluator && byName.get(evaluator.name);
  if (evaluatorPod) {
    const read = resultsFromPod(evaluatorPod, `${runPrefix(job)}/${metricsObjectPath}`);
    if ('results' in read) observed.results = read.results;
    else observed.resultsProblem = read.problem;
  }
  return observed;
}

/** A pod with the job's label that an earlier job of the same name left behind (no GC ran) is not ours. */
function ownedBy(pod: V1Pod, job: BaclJob): boolean {
  const owner = pod.metadata?.ownerReferences?.find((ref) => ref.controller);
  return owner?.uid === job.metadata.uid;
}

/**
 * The current group's evaluate node-0 pod (rank 0's, which reports the metrics after every rank's detections
 * are in, ADR 0029), once it succeeded: decide() needs the metrics now.
 */
function finishedEvaluator(job: BaclJob, pods: ObservedPod[]): ObservedPod | undefined {
  const status = job.status ?? {};
  if (status.stage !== 'evaluate' || isTerminal(status) || job.metadata.deletionTimestamp) return undefined;
  return pods.find(
    (pod) =>
      pod.stage === 'evaluate' &&
      pod.attempt === (status.attempt ?? 0) &&
      pod.nodeRank === 0 &&
      pod.phase === 'Succeeded',
  );
}
