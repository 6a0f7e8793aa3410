import { readFileSync } from 'node:fs';
import path from 'node:path';
import { featureCatalog } from './feature-catalog';

describe('feature catalog', () => {
  const doc = readFileSync(path.join(__dirname, '../../docs/feature-catalog.md'), 'utf8');

  it('documents every built-in feature with its label', () => {
    for (const e of featureCatalog) expect(doc).toContain(`| \`${e.name}\` | ${e.kind} | ${e.label.en} / ${e.label.zh} |`);
  });

  it('formats values for reasons in both languages', () => {
    const tickets = featureCatalog.find((e) => e.name === 'ticket_trend');
    expect(tickets?.format?.(3)).toEqual({ en: '3.0×', zh: '3.0 倍' });
    const silent = featureCatalog.find((e) => e.name === 'days_since_activity');
    expect(silent?.format?.(41.6)).toEqual({ en: '42 days', zh: '42 天' });
  });
});
