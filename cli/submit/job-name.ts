import { randomBytes } from 'node:crypto';
import { jobNameMaxLength } from '../../common/index.js';

/**
 * A job name from the config's name plus 5 random characters (`lvis-v1-x7k2p`), as kubectl's generateName
 * would, but chosen here so that `--dry-run` prints the name the job would get. The result is always a valid
 * job name (RFC 1035 label of at most 40 characters).
 */
export function generateJobName(configName: string, random = randomSuffix): string {
  const base =
    configName
      .replace(/\.ya?ml$/, '')
      .split('/')
      .pop() ?? '';
  const slug = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  const suffix = random();
  const room = jobNameMaxLength - suffix.length - 1;
  const stem = (slug || 'bacl').slice(0, room).replace(/-+$/, '');
  return `${stem}-${suffix}`;
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'; // kubectl's: no vowels, no look-alikes
  return Array.from(randomBytes(5), (byte) => alphabet[byte % alphabet.length]).join('');
}
