import { acceptEvents, headerValue, MemorySeenEvents, type InboundEvent } from './inbound.types';

const ev = (id: string): InboundEvent => ({
  provider: 'hubspot',
  orgId: '1',
  eventId: id,
  objectType: 'company',
  objectIds: ['9'],
  changeType: 'creation',
  occurredAt: '2026-06-01T00:00:00.000Z',
});

describe('MemorySeenEvents', () => {
  it('claims each id once, releases on request, and remembers at least `capacity` recent ids', () => {
    const seen = new MemorySeenEvents(3);
    expect(seen.claim(['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(seen.claim(['b', 'c'])).toEqual(['c']);
    seen.release(['c']);
    expect(seen.claim(['c'])).toEqual(['c']);
    expect(seen.claim(['d', 'e', 'f'])).toEqual(['d', 'e', 'f']);
    // The last three are certainly remembered; very old ones may be forgotten.
    expect(seen.claim(['d', 'e', 'f'])).toEqual([]);
    for (let i = 0; i < 10; i++) seen.claim([`x${i}`]);
    expect(seen.claim(['a'])).toEqual(['a']);
  });
});

describe('acceptEvents', () => {
  it('enqueues only new events and releases them when the queue fails', async () => {
    const seen = new MemorySeenEvents();
    const queued: string[] = [];
    expect(
      await acceptEvents([ev('1'), ev('1'), ev('2')], seen, (e) => Promise.resolve(void queued.push(...e.map((x) => x.eventId)))),
    ).toEqual({ ok: true, accepted: 2, duplicates: 1 });
    expect(await acceptEvents([ev('3')], seen, () => Promise.reject(new Error('down')))).toEqual({ ok: false });
    expect(await acceptEvents([ev('3'), ev('2')], seen, (e) => Promise.resolve(void queued.push(...e.map((x) => x.eventId))))).toEqual({
      ok: true,
      accepted: 1,
      duplicates: 1,
    });
    expect(queued).toEqual(['1', '2', '3']);
  });

  it('reads headers in any case and takes the first of repeated values', () => {
    expect(headerValue({ 'X-Thing': 'a' }, 'x-thing')).toBe('a');
    expect(headerValue({ 'x-thing': ['b', 'c'] }, 'X-Thing')).toBe('b');
    expect(headerValue({}, 'x')).toBeUndefined();
  });
});
