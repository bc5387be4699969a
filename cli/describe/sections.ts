import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { podLabels, type BaclJob, type Condition, type Results } from '../../common/index.js';
import { formatAge } from '../output/age.js';
import { alignColumns } from '../output/table.js';
import { eventTime } from '../kube/related.js';
import { submitAnnotations } from '../submit/build-job.js';
import { describeProgress } from '../wait/progress-view.js';

// The sections of `baclctl describe`, each a list of lines; render.ts joins them. kubectl describe's shape:
// `Key:  value` pairs, then indented tables, `<none>` where there is nothing.

type Lines = string[];

export function specSection(job: BaclJob, now: Date): Lines {
  const { spec, metadata } = job;
  const annotations = metadata.annotations ?? {};
  const sets = annotations[submitAnnotations.sets];
  const ranks = spec.nodes * Math.max(spec.gpusPerNode, 1);
  return pairs([
    ['Name', metadata.name],
    ['Namespace', metadata.namespace ?? 'default'],
    [
      'Created',
      `${metadata.creationTimestamp ?? '<unknown>'} (${formatAge(metadata.creationTimestamp, now)} ago)`,
    ],
    ['Config', annotations[submitAnnotations.config] ?? '<not from baclctl submit>'],
    ...(sets ? [['Overrides', (JSON.parse(sets) as string[]).join(' ')] as [string, string]] : []),
    ['Image', spec.image],
    ['Dataset', `${spec.dataset.name} (train ${spec.dataset.train}, val ${spec.dataset.val})`],
    ['Workers', `${spec.nodes} node(s) x ${spec.gpusPerNode} GPU(s): ${ranks} rank(s)`],
    [
      'Checkpoints',
      `every ${spec.checkpoint.everySteps} steps, keep ${spec.checkpoint.keepLast}, resume ${spec.resume}`,
    ],
    [
      'Run policy',
      `backoffLimit ${spec.runPolicy.backoffLimit}, cleanPodPolicy ${spec.runPolicy.cleanPodPolicy}` +
        `${spec.runPolicy.suspend ? ', suspended' : ''}` +
        `${spec.runPolicy.deleteRunDataOnDelete ? ', deletes S3 run data on delete' : ''}`,
    ],
  ]);
}

export function stateSection(job: BaclJob, now: Date): Lines {
  const status = job.status ?? {};
  const workers = status.workers;
  const checkpoint = status.lastCheckpoint;
  return [
    ...pairs([
      [
        'State',
        `${status.state ?? 'Pending'}${status.stage ? ` (stage ${status.stage}, attempt ${status.attempt ?? 0}, restarts ${status.restarts ?? 0})` : ''}`,
      ],
      [
        'Pods',
        workers
          ? `${workers.summary || `${workers.ready}/${workers.desired}`} ready (active ${workers.active}, succeeded ${workers.succeeded}, failed ${workers.failed})`
          : '<none>',
      ],
      ['Progress', status.progress ? describeProgress(job) : '<none>'],
      [
        'Last checkpoint',
        checkpoint
          ? `${checkpoint.stage} step ${checkpoint.step}, ${formatAge(checkpoint.time, now)} ago: ${checkpoint.uri}`
          : '<none>',
      ],
    ]),
    'Conditions:',
    ...table(
      ['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'],
      (status.conditions ?? []).map((condition: Condition) => [
        condition.type,
        condition.status,
        condition.reason,
        formatAge(condition.lastTransitionTime, now),
        condition.message,
      ]),
    ),
  ];
}

/** LVIS AP as percentages, the frequency groups (rare/common/frequent) on their own line. */
export function resultsSection(results: Results | undefined): Lines {
  if (!results) return ['Results:', '  <none>'];
  const percent = (value: number | undefined) =>
    value === undefined || value < 0 ? '-' : (value * 100).toFixed(2);
  return [
    'Results (LVIS bbox AP, %):',
    `  AP ${percent(results.AP)}  AP50 ${percent(results.AP50)}  AP75 ${percent(results.AP75)}  APs ${percent(results.APs)}  APm ${percent(results.APm)}  APl ${percent(results.APl)}`,
    `  rare APr ${percent(results.APr)}  common APc ${percent(results.APc)}  frequent APf ${percent(results.APf)}`,
    `  metrics: ${results.uri}`,
  ];
}

export function podsSection(pods: readonly V1Pod[]): Lines {
  return [
    'Worker pods:',
    ...table(
      ['NAME', 'STAGE', 'ATTEMPT', 'NODE RANK', 'PHASE', 'NODE'],
      pods.map((pod) => {
        const labels = pod.metadata?.labels ?? {};
        return [
          pod.metadata?.name ?? '',
          labels[podLabels.stage] ?? '',
          labels[podLabels.attempt] ?? '',
          labels[podLabels.nodeRank] ?? '',
          pod.status?.phase ?? 'Unknown',
          pod.spec?.nodeName ?? '<unscheduled>',
        ];
      }),
    ),
  ];
}

export function eventsSection(events: readonly CoreV1Event[], now: Date): Lines {
  return [
    'Events:',
    ...table(
      ['TYPE', 'REASON', 'AGE', 'FROM', 'MESSAGE'],
      events.map((event) => [
        event.type ?? '',
        event.reason ?? '',
        formatAge(new Date(eventTime(event)).toISOString(), now),
        event.source?.component ?? event.reportingComponent ?? '',
        event.message ?? '',
      ]),
    ),
  ];
}

function pairs(entries: [string, string][]): Lines {
  const width = Math.max(...entries.map(([key]) => key.length)) + 2;
  return entries.map(([key, value]) => `${`${key}:`.padEnd(width)}${value}`);
}

function table(header: string[], rows: string[][]): Lines {
  if (rows.length === 0) return ['  <none>'];
  return alignColumns([header, ...rows]).map((line) => `  ${line}`);
}
