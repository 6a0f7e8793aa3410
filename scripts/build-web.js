#!/usr/bin/env node
// Bundles the web card and admin console (ui-extension/web) into dist/ui-extension/web/static,
// where the compiled server's routers look for them. Runs after `tsc` in `npm run build`.
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { bundleWebAssets } = require(path.join(root, 'dist/app/http/console/web-assets.js'));

bundleWebAssets({ sourceDir: path.join(root, 'ui-extension/web'), outDir: path.join(root, 'dist/ui-extension/web/static') }).then(
  // Quiet on success: `npm run bench -- <name> --json` builds first and must print only its JSON.
  () => {},
  (error) => {
    process.stderr.write(`web assets failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
