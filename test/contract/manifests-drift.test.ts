import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateManifests, SALESFORCE_PROJECT_DIR } from '../../manifests/crm-manifests';
import { writeManifests } from '../../manifests/write-manifests';
import { SCORE_FIELDS, type ScoreFieldSpec } from '../../manifests/field-map';

const ROOT = join(__dirname, '../..');
const FIX = 'regenerate with `node -r ./test/helpers/ts-register.js manifests/write-manifests.ts` and commit';

describe('committed manifests match what the field map generates', () => {
  const generated = generateManifests();

  it.each(Object.keys(generated))('%s is up to date', (path) => {
    const full = join(ROOT, path);
    expect([path, existsSync(full) ? 'present' : `missing: ${FIX}`]).toEqual([path, 'present']);
    expect(readFileSync(full, 'utf8') === generated[path] ? 'same' : `differs: ${FIX}`).toBe('same');
  });

  it('has no field file the field map no longer names', () => {
    const dir = join(ROOT, SALESFORCE_PROJECT_DIR, 'force-app/main/default/objects/Account/fields');
    expect(
      readdirSync(dir)
        .map((f) => f.replace('.field-meta.xml', ''))
        .sort(),
    ).toEqual(SCORE_FIELDS.map((f) => f.salesforce).sort());
  });

  it('detects drift: a renamed field changes the generated output', () => {
    const renamed: ScoreFieldSpec[] = SCORE_FIELDS.map((f) =>
      f.key === 'riskBand' ? { ...f, salesforce: 'SE_Band__c', hubspot: 'se_band' } : f,
    );
    const before = generateManifests();
    const mutable = SCORE_FIELDS as ScoreFieldSpec[];
    const saved = [...mutable];
    mutable.splice(0, mutable.length, ...renamed);
    try {
      const after = generateManifests();
      expect(Object.keys(after)).toContain(
        `${SALESFORCE_PROJECT_DIR}/force-app/main/default/objects/Account/fields/SE_Band__c.field-meta.xml`,
      );
      expect(after['manifests/hubspot/company-properties.json']).not.toBe(before['manifests/hubspot/company-properties.json']);
    } finally {
      mutable.splice(0, mutable.length, ...saved);
    }
    expect(generateManifests()).toEqual(before);
  });

  it('the writer writes exactly the generated files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'se-manifests-'));
    try {
      const written = writeManifests(dir);
      expect(written.sort()).toEqual(Object.keys(generated).sort());
      for (const path of written) expect(readFileSync(join(dir, path), 'utf8')).toBe(generated[path]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
