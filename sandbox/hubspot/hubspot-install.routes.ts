import type { Clock } from '../../core';
import type { Router, SandboxRequest, SandboxResponse } from '../http/http-kit';
import type { HubSpotState } from './hubspot-state';

/**
 * What an installed public app meets in a portal beyond CRM data:
 * - users and teams (`/settings/v3/users/{userId}`, `/settings/v3/users/teams`), the inputs of
 *   HubSpot's record visibility ("Everything", "Team only", "Owned only" view permissions);
 * - uninstall: by the customer in HubSpot's UI (`uninstallFromUi`) or by the app
 *   (`DELETE /appinstalls/v3/external-install`); either revokes the portal's tokens and writes an
 *   `app_lifecycle_event` / `APP_UNINSTALL` entry to the webhooks journal, which apps poll
 *   (`GET /webhooks-journal/journal/2026-03/earliest`, `/offset/{offset}/next`: a pointer to a
 *   journal file; 404 when nothing is newer) with a client-credentials token.
 */
export type HsViewScope = 'everything' | 'team' | 'owned';

export interface HsUser {
  id: string;
  email: string;
  superAdmin: boolean;
  primaryTeamId: string | null;
  secondaryTeamIds: string[];
  /** The user's CRM view permission for companies and deals. HubSpot has no API that returns it. */
  viewScope: HsViewScope;
}

export interface HsTeam {
  id: string;
  name: string;
  userIds: string[];
  secondaryUserIds: string[];
}

export interface JournalEvent {
  type: 'app_lifecycle_event';
  action: 'APP_INSTALL' | 'APP_UNINSTALL';
  portalId: number;
  appId: number;
  occurredAt: string;
}

export interface HubSpotInstallState {
  readonly users: Map<string, HsUser>;
  readonly teams: HsTeam[];
  readonly journal: JournalEvent[];
  /** Whether the app holds any live token of the portal (an install that was not uninstalled). */
  readonly installed: boolean;
  /** The customer uninstalls the app in HubSpot's UI (nothing happens when it is not installed). */
  uninstallFromUi(): void;
}

export interface HubSpotInstallDeps {
  portal: HubSpotState;
  clock: Clock;
  appId: number;
  /** The server's live token tables (uninstall empties them for the portal). */
  accessTokens: Map<string, { expiresAt: number; scopes: string[]; refreshToken: string }>;
  refreshTokens: Map<string, string[]>;
  /** The installing super admin (the user behind `/oauth/v1/access-tokens/{token}`). */
  installerUserId: number;
}

const APP_TOKEN_SECONDS = 1800;

export function registerHubSpotInstallRoutes(
  router: Router,
  deps: HubSpotInstallDeps,
): HubSpotInstallState & { clientCredentials(form: URLSearchParams): SandboxResponse } {
  const appTokens = new Set<string>();
  let counter = 0;
  const teams: HsTeam[] = [
    { id: '1001', name: 'East', userIds: [], secondaryUserIds: [] },
    { id: '1002', name: 'West', userIds: [], secondaryUserIds: [] },
  ];
  const users = new Map<string, HsUser>();
  users.set(String(deps.installerUserId), {
    id: String(deps.installerUserId),
    email: 'sandbox@example.com',
    superAdmin: true,
    primaryTeamId: null,
    secondaryTeamIds: [],
    viewScope: 'everything',
  });
  // Owners alternate between the two teams; every rep sees their team's records.
  deps.portal.owners.forEach((o, i) => {
    const team = teams[i % teams.length] as HsTeam;
    team.userIds.push(String(o.userId));
    users.set(String(o.userId), {
      id: String(o.userId),
      email: o.email,
      superAdmin: false,
      primaryTeamId: team.id,
      secondaryTeamIds: [],
      viewScope: 'team',
    });
  });

  const portalTokens = (): string[] => [...deps.accessTokens.keys()].filter((t) => !appTokens.has(t));
  const state = {
    users,
    teams,
    journal: [] as JournalEvent[],
    get installed(): boolean {
      return portalTokens().length > 0 || deps.refreshTokens.size > 0;
    },
    uninstallFromUi(): void {
      if (!state.installed) return;
      for (const token of portalTokens()) deps.accessTokens.delete(token);
      deps.refreshTokens.clear();
      state.journal.push({
        type: 'app_lifecycle_event',
        action: 'APP_UNINSTALL',
        portalId: deps.portal.portalId,
        appId: deps.appId,
        occurredAt: deps.clock.now().toISOString(),
      });
    },
    clientCredentials(form: URLSearchParams): SandboxResponse {
      const token = `sbx-app-${deps.appId}-${++counter}`;
      const scopes = (form.get('scope') ?? '').split(/[ +]/).filter(Boolean);
      appTokens.add(token);
      deps.accessTokens.set(token, { expiresAt: deps.clock.now().getTime() + APP_TOKEN_SECONDS * 1000, scopes, refreshToken: '' });
      return { status: 200, json: { token_type: 'bearer', access_token: token, expires_in: APP_TOKEN_SECONDS } };
    },
  };

  const notFound = (message: string): SandboxResponse => ({
    status: 404,
    json: { status: 'error', message, category: 'OBJECT_NOT_FOUND' },
  });
  const bearer = (req: SandboxRequest): string => (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '').trim();
  const renderUser = (u: HsUser): Record<string, unknown> => ({
    id: u.id,
    email: u.email,
    superAdmin: u.superAdmin,
    ...(u.primaryTeamId ? { primaryTeamId: u.primaryTeamId } : {}),
    secondaryTeamIds: u.secondaryTeamIds,
  });

  router.on('GET', '/settings/v3/users/teams', () => ({ status: 200, json: { results: teams } }));
  router.on('GET', '/settings/v3/users/:userId', (req) => {
    const byEmail = req.query.get('idProperty') === 'EMAIL';
    const user = byEmail ? [...users.values()].find((u) => u.email === req.params.userId) : users.get(req.params.userId ?? '');
    return user ? { status: 200, json: renderUser(user) } : notFound(`User ${req.params.userId} not found`);
  });

  router.on('DELETE', '/appinstalls/v3/external-install', (req) => {
    if (appTokens.has(bearer(req)))
      return {
        status: 400,
        json: { status: 'error', message: 'an OAuth access token of the installed account is required', category: 'VALIDATION_ERROR' },
      };
    state.uninstallFromUi();
    return { status: 204 };
  });

  const journalPointer = (index: number, base: string): SandboxResponse => {
    if (index >= state.journal.length) return notFound('No journal entries after this offset');
    return { status: 200, json: { url: `${base}/webhooks-journal/files/${index}`, currentOffset: String(index) } };
  };
  const baseOf = (req: SandboxRequest): string => `http://${req.headers.host ?? '127.0.0.1'}`;
  router.on('GET', '/webhooks-journal/journal/2026-03/earliest', (req) => journalPointer(0, baseOf(req)));
  router.on('GET', '/webhooks-journal/journal/2026-03/offset/:offset/next', (req) =>
    journalPointer(Number(req.params.offset) + 1, baseOf(req)),
  );
  router.on('GET', '/webhooks-journal/files/:offset', (req) => {
    const event = state.journal[Number(req.params.offset)];
    return event ? { status: 200, json: { journalEvents: [event] } } : notFound('No such journal file');
  });
  return state;
}
