import { join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { stringify } from 'yaml';
import { packageRoot, resolveConfig } from '../../../common/index.js';
import { BaclCommand } from '../../base-command.js';

export default class ConfigShow extends BaclCommand {
  static override summary = 'Print the effective config: _base_ inheritance and --set overrides applied.';
  static override description =
    'Resolves a config the way `submit` and `run` do (child wins, lists replaced, `_delete_` honoured) and ' +
    'prints the result, so you can check an override before you spend GPU hours on it.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> tiny',
    '<%= config.bin %> <%= command.id %> lvis_v1 --set schedule.representation.epochs=2',
    '<%= config.bin %> <%= command.id %> ./my-experiment.yaml -o json',
  ];

  static override args = {
    config: Args.string({
      required: true,
      description: 'a config name from configs/ (e.g. lvis_v1, tiny) or a path to a .yaml file',
    }),
  };

  static override flags = {
    set: Flags.string({
      multiple: true,
      description: 'override a field: path.to.field=value (value read as YAML); repeatable, applied in order',
    }),
    output: Flags.option({
      char: 'o',
      options: ['yaml', 'json'] as const,
      default: 'yaml',
      description: 'output format',
    })(),
  };

  async run(): Promise<Record<string, unknown>> {
    const { args, flags } = await this.parse(ConfigShow);
    const resolved = resolveConfig(args.config, {
      configDir: join(packageRoot(), 'configs'),
      sets: flags.set ?? [],
    });
    if (flags.output === 'json') this.log(JSON.stringify(resolved.config, null, 2));
    else this.log(stringify(resolved.config).trimEnd());
    return resolved.config;
  }
}
