import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/salesforce-sandbox.server';

/**
 * OpenID Connect UserInfo, which @salesforce/core calls after every `sf org login`
 * (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm): the
 * current user only, the access token in the Authorization header or `oauth_token`; an invalid or
 * expired token is 403 Bad_OAuth_Token (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm).
 */
describe('Salesforce sandbox: /services/oauth2/userinfo', () => {
  const TOKEN = '00D8d0000000SBX!userinfo-static';
  let sandbox: SalesforceSandbox;
  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({ staticAccessTokens: [TOKEN], usernames: ['admin@userinfo.example.com'] });
  });
  afterAll(() => sandbox.close());

  it('answers the token holder with the documented fields, by header or oauth_token', async () => {
    const byHeader = await fetch(`${sandbox.url}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(byHeader.status).toBe(200);
    const info = (await byHeader.json()) as Record<string, unknown>;
    const user = [...sandbox.state.org.table('User').values()].find((u) => u.Username === 'admin@userinfo.example.com');
    expect(info).toMatchObject({
      user_id: user?.Id,
      organization_id: sandbox.state.org.orgId,
      preferred_username: 'admin@userinfo.example.com',
      sub: `${sandbox.url}/id/${sandbox.state.org.orgId}/${String(user?.Id)}`,
      active: true,
    });
    const byParam = await fetch(`${sandbox.url}/services/oauth2/userinfo?oauth_token=${encodeURIComponent(TOKEN)}`);
    expect(((await byParam.json()) as { user_id: string }).user_id).toBe(user?.Id);
  });

  it('refuses a missing, unknown or expired token with 403 Bad_OAuth_Token', async () => {
    for (const headers of [{}, { Authorization: 'Bearer 00D!nope' }]) {
      const res = await fetch(`${sandbox.url}/services/oauth2/userinfo`, { headers });
      expect([res.status, await res.text()]).toEqual([403, 'Bad_OAuth_Token']);
    }
    sandbox.state.expireAccessTokens(TOKEN);
    const expired = await fetch(`${sandbox.url}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(expired.status).toBe(403);
  });
});
