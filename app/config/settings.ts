import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * Every setting, with the environment variable that sets it. The config file (SE_CONFIG_FILE, JSON)
 * uses the `key` names; environment variables win over the file. README's table is checked
 * against this list by a test.
 */
export const settings = {
  dataDir: {
    env: 'SE_DATA_DIR',
    schema: z.string().min(1),
    default: '.data',
    doc: 'Folder for the embedded SQLite store, generated keys and caches.',
  },
  databasePath: {
    env: 'SE_DATABASE_PATH',
    schema: z.string().min(1).optional(),
    doc: 'SQLite file; defaults to `<SE_DATA_DIR>/success-engine.sqlite`.',
  },
  databaseUrl: {
    env: 'SE_DATABASE_URL',
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    doc: 'PostgreSQL instead of the embedded SQLite store (`postgres://user:password@host:5432/db`): for several workers or hosts.',
  },
  databasePoolSize: {
    env: 'SE_DATABASE_POOL_SIZE',
    schema: z.coerce.number().int().min(1).max(200),
    default: '10',
    doc: "PostgreSQL connections per process; keep processes × pool size under the server's `max_connections`.",
  },
  encryptionKey: {
    env: 'SE_ENCRYPTION_KEY',
    schema: z
      .string()
      .refine((v) => decodeKey(v) !== null, 'must be 32 bytes, as 64 hex characters or base64')
      .optional(),
    doc: 'AES-256-GCM key for CRM tokens at rest (64 hex chars or base64). Without it, a key is generated once into `<SE_DATA_DIR>/encryption.key` (mode 600); set it from your secret manager in production.',
  },
  logLevel: { env: 'LOG_LEVEL', schema: logLevel, default: 'info', doc: 'pino level: fatal, error, warn, info, debug, trace, silent.' },
  redisUrl: { env: 'REDIS_URL', schema: z.url().optional(), doc: 'Redis for BullMQ queues; without it, work runs in-process.' },
  httpHost: { env: 'SE_HTTP_HOST', schema: z.string().min(1), default: '127.0.0.1', doc: 'Address the HTTP server binds.' },
  httpPort: { env: 'SE_HTTP_PORT', schema: port, default: '3000', doc: 'Port the HTTP server listens on (0 picks a free one).' },
  publicUrl: {
    env: 'SE_PUBLIC_URL',
    schema: z.url().optional(),
    doc: 'Public base URL the CRMs call (OAuth callbacks, hubspot.fetch and webhook signatures cover it).',
  },
  metricsToken: {
    env: 'SE_METRICS_TOKEN',
    schema: z.string().min(16, 'must be at least 16 characters').optional(),
    doc: '`/metrics` carries tenant ids: with this set it answers `Authorization: Bearer <token>` from anywhere; without it, only direct loopback requests.',
  },
  hubspotClientId: {
    env: 'SE_HUBSPOT_CLIENT_ID',
    schema: z.string().min(1).optional(),
    doc: 'HubSpot app client id (marketplace install).',
  },
  hubspotClientSecret: {
    env: 'SE_HUBSPOT_CLIENT_SECRET',
    schema: z.string().min(1).optional(),
    doc: 'HubSpot app client secret: OAuth, and the key of v3 signatures on webhooks and card requests.',
  },
  hubspotApiUrl: {
    env: 'SE_HUBSPOT_API_URL',
    schema: z.url(),
    default: 'https://api.hubapi.com',
    doc: 'HubSpot API base URL (a sandbox URL in tests).',
  },
  hubspotAuthorizeUrl: {
    env: 'SE_HUBSPOT_AUTHORIZE_URL',
    schema: z.url(),
    default: 'https://app.hubspot.com/oauth/authorize',
    doc: 'HubSpot OAuth consent page.',
  },
  salesforceClientId: {
    env: 'SE_SALESFORCE_CLIENT_ID',
    schema: z.string().min(1).optional(),
    doc: 'Salesforce connected-app consumer key.',
  },
  salesforceClientSecret: {
    env: 'SE_SALESFORCE_CLIENT_SECRET',
    schema: z.string().min(1).optional(),
    doc: 'Salesforce connected-app consumer secret.',
  },
  salesforceLoginUrl: {
    env: 'SE_SALESFORCE_LOGIN_URL',
    schema: z.url(),
    default: 'https://login.salesforce.com',
    doc: 'Salesforce login host (test.salesforce.com or a My Domain).',
  },
  crmRequestTimeoutSeconds: {
    env: 'SE_CRM_REQUEST_TIMEOUT_SECONDS',
    schema: z.coerce.number().min(1).max(3600),
    default: '60',
    doc: 'A HubSpot call without an answer for this long is given up and retried, so a CRM that never answers cannot hold a job.',
  },
  modelsDir: {
    env: 'MODELS_DIR',
    schema: z.string().min(1).optional(),
    doc: 'Local folder of transformer models for air-gapped installs.',
  },
  allowRemoteModels: {
    env: 'SE_ALLOW_REMOTE_MODELS',
    schema: bool,
    default: 'true',
    doc: 'Fetch models from the Hugging Face Hub on first use (false for air-gapped installs).',
  },
} as const;

export type SettingKey = keyof typeof settings;

export function decodeKey(value: string): Buffer | null {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.length === 32) return bytes;
  }
  return null;
}
