// Helpers the bad-input tables share: what of a message goes into the report.

/** The first `count` non-empty lines of a message, trimmed: what a user reads first. */
export function firstLines(message: string, count = 4): string {
  return message
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .slice(0, count)
    .join('\n');
}
