import { Flags } from '@oclif/core';
import { outputFormats, type OutputFormat } from './format.js';

/** kubectl's `-o/--output`, limited to the formats a command can print. */
export function outputFlag(options: { formats?: readonly OutputFormat[]; default?: OutputFormat } = {}) {
  const formats = options.formats ?? outputFormats;
  return Flags.option({
    char: 'o',
    options: formats,
    default: options.default ?? formats[0],
    description: `output format: ${formats.join(', ')}`,
  })();
}
