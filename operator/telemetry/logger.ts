// The operator's one logger factory (nothing else writes logs). The kubebuilder voice: a capitalised,
// past-tense message and structured fields, one line each: `2026-11-25T10:00:00.000Z INFO Created worker pod
// {"job":"ml/lvis","rank":0,"pod":"lvis-rep-0-0"}`.

export type LogFields = Record<string, unknown>;
export type LogLevel = 'debug' | 'info' | 'error';

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line, e.g. `{job}` for one reconcile. */
  with(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Where lines go. @default process.stderr */
  write?: (line: string) => void;
  /** Lines below this level are dropped. @default 'info' */
  level?: LogLevel;
  now?: () => Date;
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, error: 2 };

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const threshold = order[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (order[level] < threshold) return;
      const all = { ...bound, ...fields };
      const tail = Object.keys(all).length > 0 ? ` ${JSON.stringify(all)}` : '';
      write(`${now().toISOString()} ${level.toUpperCase()} ${message}${tail}\n`);
    };
  return {
    debug: log('debug'),
    info: log('info'),
    error: log('error'),
    with: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** Drops everything: for library callers that pass no logger. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  error: () => undefined,
  with: () => silentLogger,
};
