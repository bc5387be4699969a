// A stand-in rank for the launcher tests, run as `node -e RANK_SCRIPT <mode> ...` (no build, quick to start).
// Modes: `echo` prints its rank environment and exits 0; `wait` runs until a signal, prints it once per signal
// received and exits 130 (a rank that checkpointed); `fail <rank> <code>` is `wait` except that rank <rank>
// exits with <code> once every rank is up; `kill <rank>` has that rank die of SIGKILL; `stubborn <rank> <code>`
// is `fail` with the others ignoring SIGTERM; `hold <rank> <code>` ignores SIGTERM except that rank <rank>
// exits with <code> on it. Every rank prints `ready` once it is set up: in the waiting modes only after its
// signal handlers are installed (a SIGTERM sent between the two killed the rank with 143 on a loaded machine).
export const RANK_SCRIPT = String.raw`
const [mode, target, code] = process.argv.slice(1);
const rank = process.env.RANK;
if (mode === 'echo') {
  console.log('ready');
  const gpu = process.env.CUDA_VISIBLE_DEVICES ?? '-';
  console.log('rank ' + rank + ' local ' + process.env.LOCAL_RANK + ' of ' + process.env.WORLD_SIZE + ' gpu ' + gpu);
  process.stdout.write('two\nlines\n');
  console.error('to stderr');
  process.stdout.write('no newline');
  process.exit(0);
}
setInterval(() => {}, 1000);
const onSignal = (signal) => {
  console.log('got ' + signal);
  if (mode === 'hold' && rank === target) process.exit(Number(code));
  if ((mode === 'stubborn' || mode === 'hold') && signal === 'SIGTERM') return;
  setTimeout(() => process.exit(130), 50);
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
console.log('ready');
if (rank === target && mode !== 'hold') {
  setTimeout(() => {
    if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
    else process.exit(Number(code));
  }, 300);
}
`;
