/**
 * Provider limits as data: one constant per limit, next to the vendor page that states it.
 * The retry policy and the rate governor read these; nothing else hard-codes a vendor number.
 */

// https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details (public app, OAuth: 100 per 10 s rolling)
export const HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL = 100;
// https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details (X-HubSpot-RateLimit-Interval-Milliseconds)
export const HUBSPOT_RATE_INTERVAL_MS = 10_000;
// https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details (free/starter daily per account)
export const HUBSPOT_DAILY_REQUESTS_FREE = 250_000;
// https://developers.hubspot.com/docs/api/crm/companies (batch read/update/create: 100 inputs)
export const HUBSPOT_BATCH_MAX = 100;
// https://developers.hubspot.com/docs/api/crm/understanding-the-crm (GET /crm/v3/objects/{type}: limit ≤ 100)
export const HUBSPOT_LIST_PAGE_MAX = 100;
// https://developers.hubspot.com/docs/api/crm/search (limit ≤ 200 per page)
export const HUBSPOT_SEARCH_PAGE_MAX = 200;
// https://developers.hubspot.com/docs/api/crm/search (paging stops at 10,000 results per query)
export const HUBSPOT_SEARCH_RESULT_CAP = 10_000;
// https://developers.hubspot.com/docs/api/crm/search (search endpoints: 5 requests per second per account)
export const HUBSPOT_SEARCH_REQUESTS_PER_SECOND = 5;
// https://developers.hubspot.com/docs/api/crm/associations (v4 batch read: 1,000 inputs)
export const HUBSPOT_ASSOCIATIONS_BATCH_MAX = 1_000;
// https://developers.hubspot.com/docs/api/oauth-quickstart-guide (access tokens last 30 minutes)
export const HUBSPOT_ACCESS_TOKEN_SECONDS = 1_800;

// Ours, not HubSpot's (its docs state no server timeout): a batch call of ≤ 100 records answers in
// seconds, so one minute without an answer means the call is lost. Config: SE_CRM_REQUEST_TIMEOUT_SECONDS.
export const HUBSPOT_REQUEST_TIMEOUT_MS = 60_000;

// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm (≤ 2,000 rows per page)
export const SALESFORCE_QUERY_PAGE_MAX = 2_000;
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm (200 records per call)
export const SALESFORCE_COLLECTIONS_MAX = 200;
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_retrieve.htm (POST: up to 2,000 ids)
export const SALESFORCE_RETRIEVE_MAX = 2_000;
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/asynch_api_intro.htm (Bulk 2.0 pays off above ~2,000 records)
export const SALESFORCE_BULK_THRESHOLD_RECORDS = 2_000;
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm (maxRecords per results page; we ask for 50,000)
export const SALESFORCE_BULK_QUERY_PAGE_ROWS = 50_000;
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_common_limits.htm (150 MB per ingest upload)
export const SALESFORCE_BULK_INGEST_MAX_BYTES = 150 * 1024 * 1024;
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm (deleted records: 15 days back)
export const SALESFORCE_GET_DELETED_DAYS = 15;
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getupdated.htm (updated records: 30 days back)
export const SALESFORCE_GET_UPDATED_DAYS = 30;
// https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
// Our own budget: stop at this share of the org's daily allocation (the default).
export const SALESFORCE_DEFAULT_DAILY_BUDGET_SHARE = 0.25;

/** The numbers the retry policy and governor need for one provider. */
export interface ProviderLimitProfile {
  /** Requests per rolling interval. */
  requestsPerInterval: number;
  intervalMs: number;
  /** Largest write batch in one call. */
  writeBatchMax: number;
  /** Largest read page. */
  readPageMax: number;
  /** Default wait after a rate-limit answer that names no time. */
  rateLimitWaitMs: number;
  /** Attempts per call, including the first. */
  maxAttempts: number;
  /** Backoff for transient failures: base × 2^(attempt-1), capped. */
  backoffBaseMs: number;
  backoffCapMs: number;
}

export const HUBSPOT_LIMITS: ProviderLimitProfile = {
  requestsPerInterval: HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL,
  intervalMs: HUBSPOT_RATE_INTERVAL_MS,
  writeBatchMax: HUBSPOT_BATCH_MAX,
  readPageMax: HUBSPOT_LIST_PAGE_MAX,
  rateLimitWaitMs: HUBSPOT_RATE_INTERVAL_MS,
  maxAttempts: 6,
  backoffBaseMs: 250,
  backoffCapMs: 8_000,
};

export const SALESFORCE_LIMITS: ProviderLimitProfile = {
  // Salesforce has no per-second window; concurrency and the daily allocation bind instead.
  requestsPerInterval: 25,
  intervalMs: 1_000,
  writeBatchMax: SALESFORCE_COLLECTIONS_MAX,
  readPageMax: SALESFORCE_QUERY_PAGE_MAX,
  rateLimitWaitMs: 60_000,
  maxAttempts: 6,
  backoffBaseMs: 500,
  backoffCapMs: 8_000,
};

export const FILE_LIMITS: ProviderLimitProfile = {
  requestsPerInterval: Number.MAX_SAFE_INTEGER,
  intervalMs: 1_000,
  writeBatchMax: 1_000,
  readPageMax: 1_000,
  rateLimitWaitMs: 0,
  maxAttempts: 1,
  backoffBaseMs: 0,
  backoffCapMs: 0,
};
