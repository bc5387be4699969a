import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dirs = new Set<string>();
const kept = new Set<string>();
let failures = 0;

/** A fresh temp dir for one server or test; removed after the run unless something failed. */
export function makeWorkDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bacl-test-${name}-`));
  dirs.add(dir);
  return dir;
}

/** Keeps one dir after the run (a server that failed to start: its log explains why). */
export function keepWorkDir(dir: string): void {
  kept.add(dir);
}

/** Removes a dir now, kept or not; for tests that provoke a failure on purpose. */
export function removeWorkDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
  kept.delete(dir);
}

/** Called by the root hooks when a test fails, so every server's log outlives the run. */
export function recordFailure(): void {
  failures += 1;
}

/**
 * Removes the run's temp dirs, or keeps them (and says where): all of them when a test failed or
 * BACL_KEEP_TEST_DIRS=1, otherwise only those marked with keepWorkDir.
 */
export function cleanWorkDirs(log: (line: string) => void): void {
  const keepAll = failures > 0 || process.env.BACL_KEEP_TEST_DIRS === '1';
  const keep = keepAll ? [...dirs] : [...kept];
  if (keep.length > 0) log(`kept test server dirs (logs inside):\n  ${keep.join('\n  ')}`);
  for (const dir of dirs) if (!keep.includes(dir)) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
  kept.clear();
}
