/* eslint-disable */
// Writes the Salesforce CLI's auth files exactly as `sf org login web` / `sf org login access-token`
// do, through @salesforce/core (AuthInfo.create → save → alias), in the HOME it runs under.
// Run as its own process: @salesforce/core finds ~/.sfdx through os.homedir(), which reads the real
// environment, not jest's copy of process.env. Usage: node sf-cli-login.js '<json>'; prints JSON.
const { AuthInfo } = require('@salesforce/core');

async function main() {
  const request = JSON.parse(process.argv[2]);
  if (request.kind === 'web') {
    const auth = await AuthInfo.create({
      oauth2Options: { authCode: request.authCode, loginUrl: request.loginUrl, clientId: 'PlatformCLI', redirectUri: request.redirectUri },
    });
    await auth.save();
    await auth.handleAliasAndDefaultSettings({ alias: request.alias, setDefault: false, setDefaultDevHub: false });
    const fields = auth.getFields(true);
    process.stdout.write(JSON.stringify({ username: fields.username, refreshToken: fields.refreshToken }));
  } else {
    const auth = await AuthInfo.create({
      accessTokenOptions: { accessToken: request.accessToken, instanceUrl: request.instanceUrl, loginUrl: request.instanceUrl },
    });
    await auth.save();
    await auth.setAlias(request.alias);
    process.stdout.write(JSON.stringify({ username: auth.getFields().username }));
  }
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exitCode = 1;
});
