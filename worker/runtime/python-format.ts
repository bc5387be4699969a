// Python's number formatting, for log lines that must read exactly like mmdetection's (log-format.ts):
// `'{:.Nf}'`, `'{:.Ne}'` and `str(datetime.timedelta(seconds=n))`. JavaScript's toFixed/toExponential round an
// exact tie (0.125 to 2 digits) away from zero; Python rounds it to the even digit ('0.12'), so ties are
// detected on the value's exact decimal expansion and resolved the Python way. Pure.

/**
 * Whether the exact digits after the last kept one are 5 then zeros. toFixed/toExponential give exact digits
 * up to 100 places, which decides every double above 1e-10 (a closer non-tie differs within 100 places).
 */
function isTie(exactTail: string): boolean {
  return /^50*$/.test(exactTail);
}

function special(value: number): string | undefined {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return undefined;
}

function sign(value: number): string {
  return value < 0 || Object.is(value, -0) ? '-' : '';
}

/** Python's `format(value, '.{digits}f')`, for |value| < 1e21. */
export function pyFixed(value: number, digits: number): string {
  const odd = special(value);
  if (odd !== undefined) return odd;
  const magnitude = Math.abs(value);
  const rounded = magnitude.toFixed(digits);
  const exact = magnitude.toFixed(100);
  const point = exact.indexOf('.');
  const truncated = digits === 0 ? exact.slice(0, point) : exact.slice(0, point + 1 + digits);
  const tail = exact.slice(point + 1 + digits);
  const lastDigit = Number(truncated.at(-1));
  return sign(value) + (isTie(tail) && lastDigit % 2 === 0 ? truncated : rounded);
}

/** Python's `format(value, '.{digits}e')`: the exponent has a sign and at least two digits (`2.000e-02`). */
export function pyExp(value: number, digits: number): string {
  const odd = special(value);
  if (odd !== undefined) return odd;
  const magnitude = Math.abs(value);
  const exact = magnitude.toExponential(100);
  const [mantissa = '', exponent = ''] = exact.split('e');
  const cut = digits === 0 ? 1 : 2 + digits;
  const tail = mantissa.slice(cut).replace('.', '');
  const truncated = `${mantissa.slice(0, cut)}e${exponent}`;
  const lastDigit = Number(mantissa.at(cut - 1));
  const chosen = isTie(tail) && lastDigit % 2 === 0 ? truncated : magnitude.toExponential(digits);
  const [m = '', e = ''] = chosen.split('e');
  const power = Number(e);
  return `${sign(value)}${m}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
}

/** Python's `str(datetime.timedelta(seconds=int(seconds)))` for seconds >= 0: `0:10:12`, `1 day, 2:03:04`. */
export function pyTimedelta(seconds: number): string {
  const whole = Math.max(0, Math.trunc(seconds));
  const days = Math.floor(whole / 86_400);
  const rest = whole % 86_400;
  const clock = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(
    rest % 60,
  ).padStart(2, '0')}`;
  return days === 0 ? clock : `${days} day${days === 1 ? '' : 's'}, ${clock}`;
}
