import { LocalTenantLock } from './tenant-lock';

const tick = () => new Promise((r) => setImmediate(r));

describe('LocalTenantLock', () => {
  it('runs the work of one key one holder at a time, in arrival order, and other keys alongside', async () => {
    const lock = new LocalTenantLock();
    const events: string[] = [];
    const gates: (() => void)[] = [];
    const work = (name: string) => () =>
      new Promise<string>((resolve) => {
        events.push(`start ${name}`);
        gates.push(() => {
          events.push(`end ${name}`);
          resolve(name);
        });
      });
    const first = lock.hold('score:a', work('a1'));
    const second = lock.hold('score:a', work('a2'));
    const other = lock.hold('score:b', work('b1'));
    await tick();
    expect(events).toEqual(['start a1', 'start b1']);
    gates.shift()?.(); // a1 ends
    await tick();
    expect(events).toEqual(['start a1', 'start b1', 'end a1', 'start a2']);
    gates.shift()?.(); // b1
    gates.shift()?.(); // a2
    expect(await Promise.all([first, second, other])).toEqual(['a1', 'a2', 'b1']);
  });

  it('passes a failure to its own caller and still lets the next holder run', async () => {
    const lock = new LocalTenantLock();
    const failed = lock.hold('score:a', () => Promise.reject(new Error('scoring failed')));
    const next = lock.hold('score:a', () => Promise.resolve('ran'));
    await expect(failed).rejects.toThrow('scoring failed');
    expect(await next).toBe('ran');
  });
});
