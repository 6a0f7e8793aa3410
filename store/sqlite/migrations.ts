/**
 * Versioned schema migrations, applied in order, each in its own transaction.
 * Never edit a shipped migration: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  locale TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE crm_connections (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  provider TEXT NOT NULL,
  external_org_id TEXT NOT NULL,
  base_url TEXT NOT NULL,
  token_ciphertext BLOB NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

-- Latest version of every canonical record.
CREATE TABLE records (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  entity TEXT NOT NULL,
  provider TEXT NOT NULL,
  external_id TEXT NOT NULL,
  id TEXT NOT NULL,
  account_id TEXT,
  data_hash TEXT NOT NULL,
  modstamp TEXT NOT NULL,
  deleted_at TEXT,
  data TEXT NOT NULL,
  stored_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, entity, provider, external_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX records_by_id ON records (tenant_id, entity, id);
CREATE INDEX records_by_account ON records (tenant_id, entity, account_id);

-- Every distinct content version (and deletion), for point-in-time reads and backtests.
CREATE TABLE record_versions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  entity TEXT NOT NULL,
  id TEXT NOT NULL,
  account_id TEXT,
  modstamp TEXT NOT NULL,
  deleted_at TEXT,
  data TEXT NOT NULL
);
CREATE INDEX record_versions_as_of ON record_versions (tenant_id, entity, modstamp);

CREATE TABLE sync_cursors (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  connection_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  cursor TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, connection_id, entity)
);

CREATE TABLE score_sets (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id TEXT NOT NULL,
  computed_at TEXT NOT NULL,
  model_version TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX score_sets_by_account ON score_sets (tenant_id, account_id, computed_at);

CREATE TABLE models (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  task TEXT NOT NULL,
  version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('candidate', 'active', 'retired')),
  algorithm TEXT NOT NULL,
  window_from TEXT NOT NULL,
  window_to TEXT NOT NULL,
  metrics TEXT NOT NULL,
  features TEXT NOT NULL,
  artifact TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, task, version)
);
CREATE UNIQUE INDEX one_active_model ON models (tenant_id, task) WHERE status = 'active';

CREATE TABLE alert_deliveries (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  idempotency_key TEXT NOT NULL,
  account_id TEXT NOT NULL,
  rule TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead-lettered')),
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT,
  last_error TEXT,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  delivered_at TEXT,
  PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX alert_deliveries_by_status ON alert_deliveries (tenant_id, status, next_attempt_at);

-- Append-only: rows can be added, never changed or removed.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`,
  },
  {
    version: 2,
    name: 'api-tokens',
    sql: `
-- API tokens for the score and admin APIs; only a SHA-256 of each token is kept.
CREATE TABLE api_tokens (
  token_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'reader')),
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (tenant_id, label)
);
`,
  },
  {
    version: 3,
    name: 'tenant-settings',
    sql: `
-- What admins set in the console (field mapping, alert rules and budgets, action catalog), one JSON
-- document per key; deleted with the tenant.
CREATE TABLE tenant_settings (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
`,
  },
  {
    version: 4,
    name: 'roles-lifecycle-erasure',
    sql: `
-- Roles: admin (console), reader (score API), rep (cards, bound to a CRM user), service (machine calls).
CREATE TABLE api_tokens_v3 (
  token_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'reader', 'rep', 'service')),
  label TEXT NOT NULL,
  crm_user_id TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (tenant_id, label),
  CHECK (role <> 'rep' OR crm_user_id IS NOT NULL)
);
INSERT INTO api_tokens_v3 (token_hash, tenant_id, role, label, crm_user_id, created_at)
  SELECT token_hash, tenant_id, role, label, NULL, created_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_v3 RENAME TO api_tokens;

-- Install state of a tenant: uninstalled tenants keep their data only until erasure_due_at.
CREATE TABLE tenant_lifecycle (
  tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('installed', 'uninstalled')),
  installed_at TEXT NOT NULL,
  uninstalled_at TEXT,
  uninstall_reason TEXT,
  erasure_due_at TEXT
);
CREATE INDEX tenant_lifecycle_due ON tenant_lifecycle (status, erasure_due_at);

-- One-time OAuth state nonces (the state itself is signed; this stops a replay). No tenant yet.
CREATE TABLE oauth_states (
  nonce TEXT PRIMARY KEY,
  used_at TEXT NOT NULL
);

-- Proof that a tenant was erased, without the tenant: a salted SHA-256 of its id and row counts.
-- Whoever knows the tenant id can recompute the hash with the row's salt; nobody can read it back.
CREATE TABLE erasure_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_hash TEXT NOT NULL,
  salt TEXT NOT NULL,
  erased_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  row_counts TEXT NOT NULL
);
CREATE TRIGGER erasure_log_no_update BEFORE UPDATE ON erasure_log BEGIN SELECT RAISE(ABORT, 'erasure_log is append-only'); END;
CREATE TRIGGER erasure_log_no_delete BEFORE DELETE ON erasure_log BEGIN SELECT RAISE(ABORT, 'erasure_log is append-only'); END;

-- The one exception to the append-only audit log: a tenant's rows may be deleted while that
-- tenant's erasure is in progress (a row here exists only inside the erasure transaction).
CREATE TABLE erasure_in_progress (
  tenant_id TEXT PRIMARY KEY
);
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress WHERE tenant_id = OLD.tenant_id)
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`,
  },
  {
    version: 5,
    name: 'audit-needs-tenant',
    sql: `
-- audit_log has no foreign key (it outlived tenants before erasure existed). Without one, a job
-- still running when its tenant is erased could write an audit row after the erasure; every other
-- tenant table refuses such a row through its foreign key, and now the audit log does too.
CREATE TRIGGER audit_log_tenant_exists BEFORE INSERT ON audit_log
  WHEN NOT EXISTS (SELECT 1 FROM tenants WHERE id = NEW.tenant_id)
  BEGIN SELECT RAISE(ABORT, 'audit_log: no such tenant (erased, or never installed)'); END;
`,
  },
  {
    version: 6,
    name: 'action-outcomes',
    sql: `
-- What happened to each recommended action (done or dismissed on a card, a completed CRM task,
-- the holdout arm): the input of propensity learning and measured lift. A second answer to the
-- same recommendation replaces the first.
CREATE TABLE action_outcomes (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id TEXT NOT NULL,
  action_id TEXT NOT NULL,
  recommended_at TEXT NOT NULL,
  arm TEXT NOT NULL CHECK (arm IN ('treatment', 'holdout')),
  status TEXT NOT NULL,
  completed_at TEXT,
  source TEXT NOT NULL,
  retained INTEGER,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, account_id, action_id, recommended_at)
);
`,
  },
  {
    version: 7,
    name: 'full-reloads',
    sql: `
-- A full reload of one entity, begun when the CRM can no longer replay deletions since our cursor
-- (Salesforce's delete log keeps about 15 days). It records every external id it sees; when the
-- reload ends, live records it did not see are marked deleted (mark and sweep), then both go.
CREATE TABLE resyncs (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  connection_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  started_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (tenant_id, connection_id, entity)
);
CREATE TABLE resync_seen (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  connection_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  external_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, connection_id, entity, external_id)
) WITHOUT ROWID;
`,
  },
  {
    version: 8,
    name: 'action-outcome-tasks',
    sql: `
-- The CRM task created for a recommendation (its id in the CRM), so that completing or cancelling
-- the task there, seen by the next activity sync, answers the recommendation like a card would.
ALTER TABLE action_outcomes ADD COLUMN crm_task_id TEXT;
CREATE INDEX action_outcomes_by_task ON action_outcomes (tenant_id, crm_task_id) WHERE crm_task_id IS NOT NULL;
`,
  },
  {
    version: 9,
    name: 'text-analyses',
    sql: `
-- What the local text model read, once per distinct text (keyed by the hash of the source text and
-- the model that read it): unchanged or repeated text is never read again.
CREATE TABLE text_analyses (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  content_hash TEXT NOT NULL,
  model_id TEXT NOT NULL,
  label TEXT NOT NULL,
  score REAL NOT NULL,
  topics TEXT NOT NULL,
  masked_text TEXT NOT NULL,
  analysed_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, content_hash, model_id)
) WITHOUT ROWID;
-- Which text each ticket or activity carries now, so features join records to analyses by hash.
CREATE TABLE record_texts (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  entity TEXT NOT NULL,
  record_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  PRIMARY KEY (tenant_id, entity, record_id)
) WITHOUT ROWID;
`,
  },
  {
    version: 10,
    name: 'record-texts-by-account',
    sql: `
-- Chunked scoring reads the texts of one page of accounts at a time, by a range of account ids.
CREATE INDEX record_texts_by_account ON record_texts (tenant_id, account_id);
`,
  },
];
