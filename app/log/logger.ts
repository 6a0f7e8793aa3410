import pino, { type DestinationStream, type Logger } from 'pino';
import { redactContactDetails } from '../../core';

export type { Logger };

/** Keys whose values are secrets wherever they appear (one or two levels deep). */
const SECRET_KEYS = [
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'api_key',
  'privateKey',
  'privateKeyPem',
  'authorization',
  'Authorization',
  'cookie',
  'encryptionKey',
  'assertion',
  'code',
  'signature',
];
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-hubspot-signature-v3"]',
];

/**
 * The product's logger: JSON lines (pino), secrets removed by key, and e-mail addresses and phone
 * numbers masked inside every string, since log pipelines are not a place for personal data.
 */
export function createLogger(options: { level: string; destination?: DestinationStream; base?: Record<string, unknown> }): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? { service: 'success-engine' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { log: (object) => scrubPersonalData(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? redactContactDetails(arg) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination(2),
  );
}

function scrubPersonalData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactContactDetails(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubPersonalData(v, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubPersonalData(v, depth + 1);
  return out;
}
