// What the reliability suite (issue #16) records, one entry per fault, bad input and security property, and
// where: every test that proves one calls recordReliability() with what it observed (never a figure it did not
// measure), and `npm run reliability` renders the entries of one run into docs/reliability.md.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { baclCacheDir } from '../../../common/index.js';

const base = {
  /** Stable, kebab-case: the file name of the entry and its anchor in the report. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  /** The mocha title path of the test that recorded it, so a reader can rerun exactly that test. */
  test: z.string().min(1),
};

export const faultEntrySchema = z
  .object({
    ...base,
    kind: z.literal('fault'),
    /** What was done to the system, e.g. "SIGKILL rank 1's worker process at representation step 4 of 9". */
    fault: z.string().min(1),
    /** What the system did about it, in one or two sentences. */
    happened: z.string().min(1),
    /** The job's end: Succeeded, or Failed with the reason where failing is the correct outcome. */
    outcome: z.object({ state: z.enum(['Succeeded', 'Failed']), reason: z.string().optional() }).strict(),
    /** From the fault to the job running again (or to its terminal state); null where nothing was restarted. */
    recoverSeconds: z.number().nonnegative().nullable(),
    /** Optimizer steps computed twice because of the fault; null where the fault stops no training. */
    stepsLost: z.number().int().nonnegative().nullable(),
    /** status.results.AP of this job, and of the same config run without the fault; null when Failed. */
    finalAp: z.number().min(0).max(1).nullable(),
    referenceAp: z.number().min(0).max(1).nullable(),
    /** Whether the final weights are bitwise equal to the uninterrupted run's; null where not compared. */
    bitwiseEqual: z.boolean().nullable(),
  })
  .strict();

export const badInputEntrySchema = z
  .object({
    ...base,
    kind: z.literal('bad-input'),
    /** Who refuses it: the API server (schema, CEL), baclctl before creating anything, or the data readers. */
    surface: z.enum(['api-server', 'baclctl', 'data']),
    /** The input, described: e.g. "spec.nodes: 0". */
    input: z.string().min(1),
    /** The message the user sees, verbatim (trimmed to its first lines). */
    message: z.string().min(1),
    /** What the test found left behind afterwards; "nothing" is the goal. */
    leftBehind: z.string().min(1),
  })
  .strict();

export const securityEntrySchema = z
  .object({
    ...base,
    kind: z.literal('security'),
    /** The property, e.g. "the operator can read no Secret". */
    property: z.string().min(1),
    /** How the test proves it, with what it observed. */
    evidence: z.string().min(1),
  })
  .strict();

export const reliabilityEntrySchema = z.discriminatedUnion('kind', [
  faultEntrySchema,
  badInputEntrySchema,
  securityEntrySchema,
]);
export type FaultEntry = z.infer<typeof faultEntrySchema>;
export type BadInputEntry = z.infer<typeof badInputEntrySchema>;
export type SecurityEntry = z.infer<typeof securityEntrySchema>;
export type ReliabilityEntry = z.infer<typeof reliabilityEntrySchema>;

/** `$BACL_RELIABILITY_DIR`, else `<cache>/reliability/`: where a run's entries collect. */
export function reliabilityDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BACL_RELIABILITY_DIR ?? join(baclCacheDir(env), 'reliability');
}

/** Writes (or overwrites) one entry as `<dir>/<kind>/<id>.json`; refuses an entry that breaks the schema. */
export function recordReliability(entry: ReliabilityEntry, dir = reliabilityDir()): string {
  const parsed = reliabilityEntrySchema.parse(entry);
  const folder = join(dir, parsed.kind);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${parsed.id}.json`);
  writeFileSync(file, `${JSON.stringify(parsed, null, 2)}\n`);
  return file;
}

/** Every entry under `dir`, each checked against the schema (a bad file is named). */
export function readReliability(dir = reliabilityDir()): ReliabilityEntry[] {
  const entries: ReliabilityEntry[] = [];
  for (const kind of ['fault', 'bad-input', 'security'] as const) {
    let files: string[];
    try {
      files = readdirSync(join(dir, kind)).filter((file) => file.endsWith('.json'));
    } catch {
      continue;
    }
    for (const file of files.sort()) {
      const path = join(dir, kind, file);
      const result = reliabilityEntrySchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (!result.success) throw new Error(`${path}: not a reliability entry: ${result.error.message}`);
      entries.push(result.data);
    }
  }
  return entries;
}
