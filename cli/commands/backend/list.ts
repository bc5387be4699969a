import { checkBackends, chooseBackend, type BackendReport } from '../../../worker/index.js';
import { BaclCommand } from '../../base-command.js';

export default class BackendList extends BaclCommand {
  static override summary = 'List the tfjs backends that work here, with a one-second self-test of each.';
  static override description =
    'Starts tensorflow (the native backend, when installed), wasm and cpu in turn; each runs a small conv + ' +
    'matMul forward and backward that must match the pure-JS cpu backend. Shows the TensorFlow version, GPU use ' +
    'and threads of the native backend, and which backend `auto` (the default; BACL_TF_BACKEND or --backend ' +
    'force one) picks.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ];

  async run(): Promise<{ backends: BackendReport[]; auto: string; chosen: string }> {
    await this.parse(BackendList);
    const backends = await checkBackends(this.interrupted);
    const rows = backends.map((r) => [
      r.backend,
      r.available ? (r.ok ? 'ok' : 'WRONG RESULTS') : 'unavailable',
      r.selfTestMs === undefined
        ? '-'
        : `${r.selfTestMs.toFixed(0)} ms, max rel. error ${(r.maxRelativeError ?? 0).toExponential(1)}`,
      r.detail,
    ]);
    const header = ['BACKEND', 'STATUS', 'SELF-TEST', 'DETAILS'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
    for (const row of [header, ...rows]) {
      this.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
    }
    const auto = backends.find((r) => r.backend === 'tensorflow')?.ok === true ? 'tensorflow' : 'wasm';
    const chosen = chooseBackend(undefined, process.env);
    this.log(
      `auto picks ${auto}; this environment asks for ${chosen === 'auto' ? `auto (${auto})` : chosen}`,
    );
    return { backends, auto, chosen };
  }
}
