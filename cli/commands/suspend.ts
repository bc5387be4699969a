import { SuspendSwitchCommand } from '../suspend-switch-command.js';

export default class Suspend extends SuspendSwitchCommand {
  static override summary =
    'Suspend a BaclJob: its worker pods are deleted, the deadline clock stops; resume continues from the checkpoint.';
  static override description =
    'Sets spec.runPolicy.suspend. The operator deletes the worker pods (the GPUs are free again) and keeps the job; `resume` starts the stage again from its last complete checkpoint.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p -n research --json',
  ];

  protected readonly suspend = true;
  protected readonly verb = 'suspended';
}
