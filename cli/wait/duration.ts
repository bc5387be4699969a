import { cliError } from '../errors.js';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A Go-style duration as kubectl's --timeout takes it (`90s`, `5m`, `1h30m`, `2d`); a bare number is seconds.
 * `0` means no limit. Returns milliseconds.
 */
export function parseDuration(text: string, flag: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) {
    throw cliError(`${flag}=${text} is not a duration`, {
      code: 'USAGE',
      tryThis: `write it like 90s, 30m or 1h30m, e.g. ${flag}=2h`,
    });
  }
  return parts.reduce((total, part) => total + Number(part[1]) * (units[part[2] ?? 's'] ?? 0), 0);
}
