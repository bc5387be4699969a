import type { Hook } from '@oclif/core';
import { cliError } from '../errors.js';

/**
 * An unknown command is a usage error (exit 2) with one "Try this" line: the closest command when the word
 * looks like a typo of one (`sumbit` -> `submit`), else where the list of commands is.
 */
const hook: Hook.CommandNotFound = function (options) {
  // With a space as topic separator oclif joins the arguments into the id (`sumbit tiny` -> `sumbit:tiny`):
  // the command is the first word, or the first two when the first is a topic (`config shwo`).
  const words = options.id.split(':');
  const isTopic = options.config.topics.some((topic) => topic.name === words[0]);
  const typed = words.slice(0, isTopic ? 2 : 1).join(' ');
  const ids = options.config.commands.map((command) => command.id.split(':').join(' '));
  const closest = ids
    .map((id) => ({ id, distance: editDistance(typed, id) }))
    .sort((a, b) => a.distance - b.distance)[0];
  const bin = options.config.bin;
  throw cliError(`"${typed}" is not a ${bin} command`, {
    code: 'USAGE',
    tryThis:
      closest && closest.distance <= 2 ? `${bin} ${closest.id} --help` : `${bin} --help lists the commands`,
  });
};

export default hook;

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
