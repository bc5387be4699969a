import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ExitCode } from './exit-codes.js';

/** What a process entry point (bacl-operator, bacl-worker) says about itself in --help. */
export interface ProgramInfo {
  name: string;
  summary: string;
  usage: string;
  /** Paragraphs after the usage line. */
  description: string[];
  /** Flag lines, already aligned: `  -h, --help   Show this help.` */
  flags: string[];
}

/** Where a program writes; injectable so tests read what a user would see. */
export interface ProgramIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIO: ProgramIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export const standardFlags = [
  '  -h, --help      Show this help and exit.',
  '      --version   Print the version and exit.',
];

export function helpText(info: ProgramInfo): string {
  return [
    `${info.name}: ${info.summary}`,
    '',
    `Usage: ${info.usage}`,
    '',
    ...info.description.flatMap((paragraph) => [paragraph, '']),
    'Flags:',
    ...info.flags,
    '',
  ].join('\n');
}

const standardOptions = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/**
 * Answers --help, --version and bad usage for a program that takes no other flags yet. Returns the exit code
 * when the invocation is fully answered, undefined when the program should go on.
 */
export function answerStandardFlags(info: ProgramInfo, argv: string[], io: ProgramIO): number | undefined {
  let values: { help?: boolean; version?: boolean };
  try {
    values = parseArgs({ args: argv, options: standardOptions, strict: true }).values;
  } catch (error) {
    // An unknown flag or stray argument is a usage error (exit 2) that names it, as kubectl and oclif answer.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${info.name}: ${message}\nTry this: ${info.name} --help\n`);
    return ExitCode.usage;
  }
  if (values.help) {
    io.stdout(helpText(info));
    return ExitCode.ok;
  }
  if (values.version) {
    io.stdout(`${info.name} ${packageVersion()}\n`);
    return ExitCode.ok;
  }
  return undefined;
}

let cachedPackage: { root: string; version: string } | undefined;

/** The bacl package's root dir and version, found by walking up from this file (sources or dist/). */
function findPackage(): { root: string; version: string } {
  if (cachedPackage) return cachedPackage;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'bacl' && typeof pkg.version === 'string') {
        return (cachedPackage = { root: dir, version: pkg.version });
      }
    } catch {
      // no package.json at this level: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no bacl package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function packageVersion(): string {
  return findPackage().version;
}

/** Where the package is installed; configs/ and charts/ ship beside dist/. */
export function packageRoot(): string {
  return findPackage().root;
}
