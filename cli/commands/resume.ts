import { SuspendSwitchCommand } from '../suspend-switch-command.js';

export default class Resume extends SuspendSwitchCommand {
  static override summary = 'Resume a suspended BaclJob from the last complete checkpoint of its stage.';
  static override description =
    "Clears spec.runPolicy.suspend. The operator creates the stage's pods again (a new attempt, not counted " +
    'as a restart) and the ranks load the latest checkpoint.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p -n research --json',
  ];

  protected readonly suspend = false;
  protected readonly verb = 'resumed';
}
