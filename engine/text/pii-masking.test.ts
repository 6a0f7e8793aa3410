import fc from 'fast-check';
import { chineseIdCheckChar, chineseIdValid, luhnValid, maskPii, PiiMasker } from './pii-masking';

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

const chineseMobile = fc.tuple(fc.integer({ min: 3, max: 9 }), digits(9)).map(([second, rest]) => `1${second}${rest}`);
const formattedChineseMobile = fc.tuple(chineseMobile, fc.constantFrom('plain', 'space', 'dash', '+86', '+86 ')).map(([m, style]) => {
  if (style === 'space') return `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`;
  if (style === 'dash') return `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`;
  if (style === '+86') return `+86${m}`;
  if (style === '+86 ') return `+86 ${m}`;
  return m;
});
const internationalPhone = fc
  .tuple(fc.integer({ min: 1, max: 998 }), digits(3), digits(3), digits(4), fc.constantFrom(' ', '-', '.'))
  .map(([cc, a, b, c, sep]) => `+${cc} ${a}${sep}${b}${sep}${c}`);
const chineseId = fc
  .tuple(digits(6), fc.integer({ min: 1930, max: 2020 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), digits(3))
  .map(([area, y, m, d, seq]) => {
    const first17 = `${area}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${seq}`;
    return first17 + chineseIdCheckChar(first17);
  });
const cardNumber = fc
  .tuple(
    fc.constantFrom('4', '5', '37', '62'),
    fc.integer({ min: 13, max: 19 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }),
  )
  .map(([prefix, len, pool]) => {
    const body = (prefix + pool.join('')).slice(0, len - 1);
    for (let check = 0; check <= 9; check++) if (luhnValid(body + String(check))) return body + String(check);
    throw new Error('unreachable: some check digit satisfies Luhn');
  });
const groupedCard = fc.tuple(cardNumber, fc.constantFrom('', ' ', '-')).map(([card, sep]) => card.replace(/(\d{4})(?=\d)/g, `$1${sep}`));
const secret = fc.oneof(fc.emailAddress(), formattedChineseMobile, internationalPhone, chineseId, groupedCard);
const filler = fc.constantFrom('', ' ', 'Call me at ', '请联系 ', '电话：', '邮箱', ', thanks.', '。谢谢', '(', ')', ' ref ', '，');

describe('PII masking', () => {
  // Generous: the CI machine is shared; nothing here asserts on time.
  jest.setTimeout(60_000);

  it('never lets a generated email, phone, card or national id survive, whatever surrounds it', () => {
    fc.assert(
      fc.property(filler, secret, filler, secret, filler, (a, s1, b, s2, c) => {
        const masked = maskPii(`${a}${s1}${b}${s2}${c}`);
        for (const s of [s1, s2]) {
          expect(masked).not.toContain(s);
          // No run of the secret's digits long enough to identify someone survives either.
          const secretDigits = s.replace(/\D/g, '');
          if (secretDigits.length >= 7) expect(masked.replace(/\D/g, '')).not.toContain(secretDigits);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('labels what it masked', () => {
    const r = new PiiMasker().mask(
      'Mail jane.doe@example.com or call +1 (415) 555-0100; 身份证 11010519491231002X，卡号 4111 1111 1111 1111',
    );
    expect(r.text).toBe('Mail [email] or call [phone]; 身份证 [national-id]，卡号 [card]');
    expect(r.counts).toMatchObject({ email: 1, phone: 1, nationalId: 1, card: 1 });
  });

  it('masks Chinese mobiles inside Chinese text', () => {
    expect(maskPii('我的手机13800138000请回电')).toBe('我的手机[phone]请回电');
  });

  it('leaves dates, prices and short numbers alone', () => {
    const text = 'Renewal on 2026-03-01 at $1,200 for 25 seats, ticket #4521.';
    expect(maskPii(text)).toBe(text);
  });

  it('masks contact names from the CRM, whole words only, and Chinese surname + title', () => {
    const masker = new PiiMasker(['Jane Doe', '张伟']);
    expect(masker.mask('Jane Doe said Jane will call. Janet is fine. 张伟说张先生明天来').text).toBe(
      '[name] said [name] will call. Janet is fine. [name]说[name]明天来',
    );
  });

  it('checks national ids and cards by checksum', () => {
    expect(chineseIdValid('11010519491231002X')).toBe(true);
    expect(chineseIdValid('110105194912310021')).toBe(false);
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
});
