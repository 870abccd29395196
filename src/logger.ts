/**
 * Structured JSON logs (pino). Request logs carry the request id and the
 * customer id; secrets are never passed to the logger, and the redact paths
 * below are a second guard for headers that could carry them.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tollgate' },
      redact: {
        paths: ['headers.authorization', 'req.headers.authorization', '*.authorization', '*.apiKey', '*.key'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
