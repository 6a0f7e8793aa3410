/**
 * PostgreSQL schema migrations, numbered like SQLite's (store/sqlite/migrations.ts) so that version N
 * means the same schema in both. Each runs in its own transaction under an advisory lock (migrate.ts).
 * Never edit a shipped migration: add the next one, and keep it additive (new tables, new nullable
 * columns, new indexes) so that workers still running the previous version keep working during an upgrade.
 *
 * Types: ids and instants are `text COLLATE "C"`: instants are UTC ISO text exactly as SQLite stores
 * them, and "C" makes comparison and ORDER BY bytewise, as in SQLite, whatever the database's locale.
 * Opaque documents returned verbatim (records, score sets, model artifacts) are text; small documents
 * are jsonb; blobs bytea; sequence numbers bigserial.
 */
import type { Migration } from '../sqlite/migrations';

export type { Migration };

/** Text that compares bytewise. */
const T = 'text COLLATE "C"';

export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
CREATE TABLE tenants (
  id ${T} PRIMARY KEY,
  name ${T} NOT NULL,
  locale ${T} NOT NULL,
  created_at ${T} NOT NULL
);

CREATE TABLE crm_connections (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id ${T} NOT NULL,
  provider ${T} NOT NULL,
  external_org_id ${T} NOT NULL,
  base_url ${T} NOT NULL,
  token_ciphertext bytea NOT NULL,
  created_at ${T} NOT NULL,
  updated_at ${T} NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

-- Latest version of every canonical record.
CREATE TABLE records (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  entity ${T} NOT NULL,
  provider ${T} NOT NULL,
  external_id ${T} NOT NULL,
  id ${T} NOT NULL,
  account_id ${T},
  data_hash ${T} NOT NULL,
  modstamp ${T} NOT NULL,
  deleted_at ${T},
  data text NOT NULL,
  stored_at ${T} NOT NULL,
  PRIMARY KEY (tenant_id, entity, provider, external_id)
);
CREATE UNIQUE INDEX records_by_id ON records (tenant_id, entity, id);
CREATE INDEX records_by_account ON records (tenant_id, entity, account_id);

-- Every distinct content version (and deletion), for point-in-time reads and backtests.
CREATE TABLE record_versions (
  seq bigserial PRIMARY KEY,
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  entity ${T} NOT NULL,
  id ${T} NOT NULL,
  account_id ${T},
  modstamp ${T} NOT NULL,
  deleted_at ${T},
  data text NOT NULL
);
CREATE INDEX record_versions_as_of ON record_versions (tenant_id, entity, modstamp);

CREATE TABLE sync_cursors (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  connection_id ${T} NOT NULL,
  entity ${T} NOT NULL,
  cursor jsonb NOT NULL,
  updated_at ${T} NOT NULL,
  PRIMARY KEY (tenant_id, connection_id, entity)
);

CREATE TABLE score_sets (
  seq bigserial PRIMARY KEY,
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id ${T} NOT NULL,
  computed_at ${T} NOT NULL,
  model_version ${T} NOT NULL,
  data text NOT NULL
);
CREATE INDEX score_sets_by_account ON score_sets (tenant_id, account_id, computed_at);

CREATE TABLE models (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  task ${T} NOT NULL,
  version ${T} NOT NULL,
  status ${T} NOT NULL CHECK (status IN ('candidate', 'active', 'retired')),
  algorithm ${T} NOT NULL,
  window_from ${T} NOT NULL,
  window_to ${T} NOT NULL,
  metrics jsonb NOT NULL,
  features jsonb NOT NULL,
  artifact text NOT NULL,
  created_at ${T} NOT NULL,
  PRIMARY KEY (tenant_id, task, version)
);
CREATE UNIQUE INDEX one_active_model ON models (tenant_id, task) WHERE status = 'active';

CREATE TABLE alert_deliveries (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  idempotency_key ${T} NOT NULL,
  account_id ${T} NOT NULL,
  rule ${T} NOT NULL,
  target ${T} NOT NULL,
  status ${T} NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead-lettered')),
  attempts integer NOT NULL,
  next_attempt_at ${T},
  last_error text,
  payload jsonb NOT NULL,
  created_at ${T} NOT NULL,
  delivered_at ${T},
  PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX alert_deliveries_by_status ON alert_deliveries (tenant_id, status, next_attempt_at);

-- Append-only: rows can be added, never changed or removed (TRUNCATE included).
CREATE TABLE audit_log (
  seq bigserial PRIMARY KEY,
  tenant_id ${T} NOT NULL,
  at ${T} NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  details jsonb NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, seq);
CREATE FUNCTION se_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION se_refuse_change();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION se_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION se_refuse_change();
`,
  },
  {
    version: 2,
    name: 'api-tokens',
    sql: `
-- API tokens for the score and admin APIs; only a SHA-256 of each token is kept.
CREATE TABLE api_tokens (
  token_hash ${T} PRIMARY KEY,
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  role ${T} NOT NULL CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'reader')),
  label ${T} NOT NULL,
  created_at ${T} NOT NULL,
  UNIQUE (tenant_id, label)
);
`,
  },
  {
    version: 3,
    name: 'tenant-settings',
    sql: `
-- What admins set in the console, one JSON document per key; deleted with the tenant.
CREATE TABLE tenant_settings (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  key ${T} NOT NULL,
  value jsonb NOT NULL,
  updated_at ${T} NOT NULL,
  updated_by text NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
`,
  },
  {
    version: 4,
    name: 'roles-lifecycle-erasure',
    sql: `
-- Roles: admin (console), reader (score API), rep (cards, bound to a CRM user), service (machine calls).
ALTER TABLE api_tokens
  DROP CONSTRAINT api_tokens_role_check,
  ADD COLUMN crm_user_id ${T},
  ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'reader', 'rep', 'service')),
  ADD CONSTRAINT api_tokens_rep_has_user CHECK (role <> 'rep' OR crm_user_id IS NOT NULL);

-- Install state of a tenant: uninstalled tenants keep their data only until erasure_due_at.
CREATE TABLE tenant_lifecycle (
  tenant_id ${T} PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  status ${T} NOT NULL CHECK (status IN ('installed', 'uninstalled')),
  installed_at ${T} NOT NULL,
  uninstalled_at ${T},
  uninstall_reason text,
  erasure_due_at ${T}
);
CREATE INDEX tenant_lifecycle_due ON tenant_lifecycle (status, erasure_due_at);

-- One-time OAuth state nonces (the state itself is signed; this stops a replay). No tenant yet.
CREATE TABLE oauth_states (
  nonce ${T} PRIMARY KEY,
  used_at ${T} NOT NULL
);

-- Proof that a tenant was erased, without the tenant: a salted SHA-256 of its id and row counts.
CREATE TABLE erasure_log (
  seq bigserial PRIMARY KEY,
  tenant_hash ${T} NOT NULL,
  salt ${T} NOT NULL,
  erased_at ${T} NOT NULL,
  reason text NOT NULL,
  row_counts jsonb NOT NULL
);
CREATE TRIGGER erasure_log_no_update BEFORE UPDATE ON erasure_log FOR EACH ROW EXECUTE FUNCTION se_refuse_change();
CREATE TRIGGER erasure_log_no_delete BEFORE DELETE ON erasure_log FOR EACH ROW EXECUTE FUNCTION se_refuse_change();
CREATE TRIGGER erasure_log_no_truncate BEFORE TRUNCATE ON erasure_log FOR EACH STATEMENT EXECUTE FUNCTION se_refuse_change();

-- The one exception to the append-only audit log: a tenant's rows may be deleted by the transaction
-- erasing that tenant, which names it in a transaction-local setting (SQLite uses a row in
-- erasure_in_progress for the same purpose; a setting made with SET LOCAL is never seen by another
-- session and ends with the transaction).
CREATE FUNCTION se_audit_log_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.tenant_id = current_setting('success_engine.erasing_tenant', true) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
DROP TRIGGER audit_log_no_delete ON audit_log;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION se_audit_log_delete_guard();
`,
  },
  {
    version: 5,
    name: 'audit-needs-tenant',
    sql: `
-- A job still running when its tenant is erased must not write an audit row after the erasure. A
-- foreign key refuses it (and locks the tenant row against a concurrent erasure, which a trigger would
-- not); NOT VALID leaves rows of tenants removed before erasure existed alone.
ALTER TABLE audit_log ADD CONSTRAINT audit_log_tenant_exists FOREIGN KEY (tenant_id) REFERENCES tenants(id) NOT VALID;
`,
  },
  {
    version: 6,
    name: 'action-outcomes',
    sql: `
-- What happened to each recommended action; a second answer to the same recommendation replaces the first.
CREATE TABLE action_outcomes (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  account_id ${T} NOT NULL,
  action_id ${T} NOT NULL,
  recommended_at ${T} NOT NULL,
  arm ${T} NOT NULL CHECK (arm IN ('treatment', 'holdout')),
  status ${T} NOT NULL,
  completed_at ${T},
  source ${T} NOT NULL,
  retained boolean,
  updated_at ${T} NOT NULL,
  updated_by text NOT NULL,
  PRIMARY KEY (tenant_id, account_id, action_id, recommended_at)
);
`,
  },
  {
    version: 7,
    name: 'full-reloads',
    sql: `
-- A full reload of one entity, with the external ids it has seen, for the mark and sweep at its end.
CREATE TABLE resyncs (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  connection_id ${T} NOT NULL,
  entity ${T} NOT NULL,
  started_at ${T} NOT NULL,
  reason text NOT NULL,
  PRIMARY KEY (tenant_id, connection_id, entity)
);
CREATE TABLE resync_seen (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  connection_id ${T} NOT NULL,
  entity ${T} NOT NULL,
  external_id ${T} NOT NULL,
  PRIMARY KEY (tenant_id, connection_id, entity, external_id)
);
`,
  },
  {
    version: 8,
    name: 'action-outcome-tasks',
    sql: `
-- The CRM task created for a recommendation, so that completing it in the CRM answers the recommendation.
ALTER TABLE action_outcomes ADD COLUMN crm_task_id ${T};
CREATE INDEX action_outcomes_by_task ON action_outcomes (tenant_id, crm_task_id) WHERE crm_task_id IS NOT NULL;
`,
  },
  {
    version: 9,
    name: 'text-analyses',
    sql: `
-- What the local text model read, once per distinct text and model.
CREATE TABLE text_analyses (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  content_hash ${T} NOT NULL,
  model_id ${T} NOT NULL,
  label ${T} NOT NULL,
  score double precision NOT NULL,
  topics jsonb NOT NULL,
  masked_text text NOT NULL,
  analysed_at ${T} NOT NULL,
  PRIMARY KEY (tenant_id, content_hash, model_id)
);
-- Which text each ticket or activity carries now.
CREATE TABLE record_texts (
  tenant_id ${T} NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  entity ${T} NOT NULL,
  record_id ${T} NOT NULL,
  account_id ${T} NOT NULL,
  kind ${T} NOT NULL,
  at ${T} NOT NULL,
  content_hash ${T} NOT NULL,
  PRIMARY KEY (tenant_id, entity, record_id)
);
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
