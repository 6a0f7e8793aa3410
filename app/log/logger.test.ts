import { Writable } from 'node:stream';
import { createLogger } from './logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination }) };
}

describe('logger', () => {
  it('removes secrets by key, at any of the usual depths', () => {
    const { lines, log } = capture();
    log.info(
      {
        accessToken: 'at-1',
        connection: { refresh_token: 'rt-1', tokens: { clientSecret: 'cs-1' } },
        headers: { authorization: 'Bearer x' },
      },
      'connected',
    );
    const text = lines.join('');
    for (const secret of ['at-1', 'rt-1', 'cs-1', 'Bearer x']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('masks e-mail addresses and phone numbers in messages and fields', () => {
    const { lines, log } = capture();
    log.info({ contact: { note: 'reach wang.fang@example.cn or +86 139 1234 5678' } }, 'emailed li@acme.com, called 13800138000');
    const entry = JSON.parse(lines[0] ?? '{}') as { msg: string; contact: { note: string } };
    expect(entry.msg).toBe('emailed [email], called [phone]');
    expect(entry.contact.note).toBe('reach [email] or [phone]');
  });

  it('keeps ordinary numbers and dates readable', () => {
    const { lines, log } = capture();
    log.info({ renewal: '2026-12-31', records: 100000 }, 'synced 100000 records');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ renewal: '2026-12-31', records: 100000, msg: 'synced 100000 records' });
  });
});
