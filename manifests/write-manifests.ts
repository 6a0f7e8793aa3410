/**
 * Writes the generated install manifests (see crm-manifests.ts) into the repository:
 * `node -r ./test/helpers/ts-register.js manifests/write-manifests.ts` from the repository root.
 * `test/contract/manifests-drift.test.ts` fails until the committed files match.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateManifests } from './crm-manifests';

export function writeManifests(root: string): string[] {
  const files = generateManifests();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return Object.keys(files);
}

if (require.main === module) {
  const written = writeManifests(join(__dirname, '..'));
  process.stdout.write(`wrote ${written.length} manifest files\n`);
}
