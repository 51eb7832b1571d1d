import pino, { type Logger } from "pino";

/** JSON logs on stdout, snake_case fields, ISO timestamps. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "indexer" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
