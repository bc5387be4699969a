import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { BaclJob } from '../../common/index.js';
import { eventsSection, podsSection, resultsSection, specSection, stateSection } from './sections.js';

export interface Described {
  job: BaclJob;
  pods: readonly V1Pod[];
  events: readonly CoreV1Event[];
}

/** `baclctl describe`: what was asked for, where it stands, what it achieved, and what happened. */
export function renderDescription({ job, pods, events }: Described, now: Date): string {
  return [
    ...specSection(job, now),
    ...stateSection(job, now),
    ...resultsSection(job.status?.results),
    ...podsSection(pods),
    ...eventsSection(events, now),
  ].join('\n');
}
