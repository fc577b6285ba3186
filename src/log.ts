// Logging for the Sentry, gofer and CLI. One sink per process: stderr by default,
// the --debug-log file when given. Warnings always go out; debug lines only with --debug.
import { appendFileSync, writeSync } from 'node:fs';

export interface LogConfig {
  debug: boolean;
  /** File (path, or fd opened for appending) for debug output; null for stderr. */
  file: string | number | null;
  /** "text" or "json" (--log-format). */
  format: 'text' | 'json';
  /** Tag of this process ("sentry", "gofer", "cli"). */
  tag: string;
}

const cfg: LogConfig = { debug: false, file: null, format: 'text', tag: 'tsvisor' };

export function configureLog(c: Partial<LogConfig>): void {
  Object.assign(cfg, c);
}

export function debugEnabled(): boolean {
  return cfg.debug;
}

function emit(level: string, msg: string): void {
  const line =
    cfg.format === 'json'
      ? JSON.stringify({ time: new Date().toISOString(), level, tag: cfg.tag, msg }) + '\n'
      : `${level[0]!.toUpperCase()}${new Date().toISOString().slice(11, 23)} ${cfg.tag}: ${msg}\n`;
  try {
    if (cfg.file) appendFileSync(cfg.file, line);
    else writeSync(2, line);
  } catch {
    // Logging must never take the Sentry down.
  }
}

// Levels: debug lines need --debug; info lines go to the log file when there is one
// (or to stderr with --debug), like runsc's --debug-log; warnings always go out.
export const log = {
  debug(msg: string): void {
    if (cfg.debug) emit('debug', msg);
  },
  info(msg: string): void {
    if (cfg.debug || cfg.file) emit('info', msg);
  },
  warn(msg: string): void {
    emit('warning', msg);
  },
  /** Writes a raw line to the log sink (strace output). */
  raw(line: string): void {
    try {
      if (cfg.file) appendFileSync(cfg.file, line + '\n');
      else writeSync(2, line + '\n');
    } catch {
      // ignore
    }
  },
};
