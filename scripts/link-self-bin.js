// npm links the bins of dependencies into node_modules/.bin, but not the project's own. Linking
// ours there makes `npx success-engine` work right after `npm ci` in a checkout.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { bin } = require(path.join(root, 'package.json'));
const binDir = path.join(root, 'node_modules', '.bin');
fs.mkdirSync(binDir, { recursive: true });
for (const [name, target] of Object.entries(bin)) {
  const absolute = path.join(root, target);
  fs.chmodSync(absolute, 0o755);
  const link = path.join(binDir, name);
  fs.rmSync(link, { force: true });
  fs.symlinkSync(path.relative(binDir, absolute), link);
}
