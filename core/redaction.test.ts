import { redactContactDetails } from './redaction';

describe('redactContactDetails', () => {
  it.each([
    ['mail li.wei@example.com.cn now', 'mail [email] now'],
    ['call +86 138 0013 8000 today', 'call [phone] today'],
    ['call 13800138000', 'call [phone]'],
    ['office (415) 555-0100', 'office [phone]'],
    ['+1 415 555 0100', '[phone]'],
    ['座机 010-6552-9988', '座机 [phone]'],
    ['13000000000+1 000.000.0000 call me', '[phone][phone] call me'],
    // One loose candidate spanning two numbers (16 digits): a CI seed found the first one kept.
    ['+1 000.000.1000 13000000000', '[phone] [phone]'],
    ['+86 138 0013 8000 010-6552-9988', '[phone] [phone]'],
  ])('masks %s', (input, expected) => {
    expect(redactContactDetails(input)).toBe(expected);
  });

  it.each(['renewal 2026-11-28', 'ARR 120000', 'order 42 of 100', 'version 1.2.3'])('keeps %s', (input) => {
    expect(redactContactDetails(input)).toBe(input);
  });
});
