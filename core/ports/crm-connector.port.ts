import type { Provider } from '../ids';
import type { CanonicalRecordByEntity, EntityName } from '../model/records.schema';
import type { ScoreSet } from '../model/score-set.schema';
import type { CrmTokens } from '../model/tenant.schema';

/**
 * A multi-currency org's conversion table: `rates[code]` units of that currency buy one unit of the
 * corporate currency (Salesforce's CurrencyType.ConversionRate; the corporate currency's rate is 1).
 */
export interface OrgCurrencies {
  corporate: string;
  rates: Readonly<Record<string, number>>;
}

/** An opaque, serialisable position in a provider's change stream; saved after every page. */
export type SyncCursor = Readonly<Record<string, string | number | boolean | null>>;

export interface Deletion {
  externalId: string;
  deletedAt: string;
}

/**
 * Something the connector could not read or write in this customer's CRM (a property that does not
 * exist, a scope the install lacks, a value the CRM does not allow): reported to the admin, never a
 * failed sync. The sync goes on with what it can read.
 */
export interface ConnectorFinding {
  code:
    | 'CONNECTOR.FIELD_UNREADABLE'
    | 'CONNECTOR.OBJECT_UNREADABLE'
    | 'CONNECTOR.PROPERTY_MISSING'
    | 'CONNECTOR.SCOPE_MISSING'
    | 'CONNECTOR.VALUE_NOT_ALLOWED';
  /** The CRM object (HubSpot object type, Salesforce sObject). */
  object: string;
  /** The Salesforce field at fault. */
  field?: string;
  /** The HubSpot property at fault. */
  property?: string;
  /** The OAuth scope that was not granted. */
  scope?: string;
  /** A custom source the default mapping can do without. */
  optional?: boolean;
  message: string;
}

export interface PulledPage<E extends EntityName> {
  entity: E;
  records: CanonicalRecordByEntity[E][];
  deletions: Deletion[];
  /** Rows the mapper could not turn into canonical records, with the field at fault. */
  rejected: { externalId: string; field: string; reason: string }[];
  /**
   * What the connector could not read in the customer's CRM (a field deleted or hidden by
   * field-level security, an object the org does not have): named for the admin; the sync reads
   * the rest. `optional` marks custom sources the default mapping can do without.
   */
  findings?: ConnectorFinding[];
  nextCursor: SyncCursor;
  /** True when the stream is drained for now (the cursor still moves forward next time). */
  done: boolean;
}

export type WriteBackResult =
  | { accountExternalId: string; status: 'written' | 'unchanged' }
  | { accountExternalId: string; status: 'failed'; code: string; message: string; retryable: boolean };

export interface ProviderLimits {
  provider: Provider;
  /** Requests allowed in the current window and left in it, when the provider says. */
  window?: { max: number; remaining: number; intervalMs: number };
  daily?: { max: number; remaining: number };
  observedAt: string;
}

export type AuthGrant =
  | { kind: 'authorization-code'; code: string; redirectUri: string }
  | { kind: 'refresh'; refreshToken: string }
  | { kind: 'jwt-bearer'; username: string; privateKeyPem: string }
  | { kind: 'private-app-token'; token: string };

/** A task for an account's owner (the top next-best-action), created at most once per `key`. */
export interface CrmTaskInput {
  /** Canonical account id (`<provider>:<externalId>`). */
  accountId: string;
  /** Idempotency key stored on the task: a retried or repeated call with the same key never creates a second task. */
  key: string;
  subject: string;
  body: string;
  /** `YYYY-MM-DD`. */
  dueDate: string;
  priority: 'low' | 'normal' | 'high';
  /** CRM user/owner id; the account owner when omitted. */
  ownerId?: string;
}

export type CreateTaskResult =
  | { key: string; accountExternalId: string; status: 'created' | 'exists'; taskExternalId: string }
  | { key: string; accountExternalId: string; status: 'failed'; code: string; message: string; retryable: boolean };

/** One contract for every CRM; `test/contract` holds the suite each implementation passes. */
export interface CrmConnector {
  readonly provider: Provider;
  authorise(grant: AuthGrant): Promise<CrmTokens>;
  /** Create or verify the fields/properties that hold our scores. */
  ensureSchema(): Promise<{ created: string[]; verified: string[] }>;
  pullPage<E extends EntityName>(entity: E, cursor: SyncCursor | null): Promise<PulledPage<E>>;
  writeBack(scores: readonly ScoreSet[]): Promise<WriteBackResult[]>;
  limits(): Promise<ProviderLimits>;
  /** The org's currencies when it keeps amounts in several (Salesforce multi-currency); null when it uses one. */
  currencies?(): Promise<OrgCurrencies | null>;
  /** Create owner tasks (CRMs with a task object); idempotent by `key`. */
  createTasks?(tasks: readonly CrmTaskInput[]): Promise<CreateTaskResult[]>;
}
