// kubectl's AGE column: k8s.io/apimachinery/pkg/util/duration.HumanDuration, so `baclctl get` and
// `kubectl get bacljobs` print the same age for the same object.

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const year = 365 * day;

/** A duration as kubectl prints it: `45s`, `3m20s`, `15m`, `5h10m`, `20h`, `3d4h`, `40d`, `2y10d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / second);
  // kubectl tolerates up to 2 s of clock skew between client and server as "now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / minute);
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / hour);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(ms / day);
  if (hours < 8 * 24) return withRest(days, 'd', hours % 24, 'h');
  if (hours < 2 * 365 * 24) return `${days}d`;
  const years = Math.trunc(ms / year);
  if (hours < 8 * 365 * 24) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function withRest(value: number, unit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${value}${unit}` : `${value}${unit}${rest}${restUnit}`;
}

/** The AGE cell of an object created at `timestamp` (RFC 3339); `<unknown>` without one, as kubectl. */
export function formatAge(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const created = Date.parse(timestamp);
  if (Number.isNaN(created)) return '<unknown>';
  return humanDuration(now.getTime() - created);
}
