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
];
