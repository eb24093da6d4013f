import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BASE_URL,
  maskKey,
  PracticeHubConfigError,
  redactUrl,
  regionOfKey,
  resolveBaseUrl,
} from '../../../runtime/practicehub/index.ts';

const KEY = 'phk_5f2c9a0b1d-eu';

describe('resolveBaseUrl', () => {
  it('defaults to the documented host of the account', () => {
    expect(DEFAULT_BASE_URL).toBe('https://{account}.neptune.practicehub.io/api');
    expect(resolveBaseUrl({ account: 'inspired', region: 'eu', apiKey: KEY })).toBe(
      'https://inspired.neptune.practicehub.io/api',
    );
  });

  it('fills {region} and {account} in an override and drops a trailing slash', () => {
    expect(
      resolveBaseUrl({
        account: 'demo',
        region: 'au',
        apiKey: 'phk_1-au',
        override: 'http://127.0.0.1:4000/{region}/api/',
      }),
    ).toBe('http://127.0.0.1:4000/au/api');
    expect(
      resolveBaseUrl({
        account: 'demo',
        region: 'us',
        apiKey: 'k-us',
        override: 'https://{account}.{region}.example/api',
      }),
    ).toBe('https://demo.us.example/api');
    expect(resolveBaseUrl({ account: 'demo', region: 'eu', apiKey: KEY, override: '  ' })).toBe(
      'https://demo.neptune.practicehub.io/api',
    );
    // A key without a region suffix: nothing to check it against; the spec's region is taken.
    expect(
      resolveBaseUrl({ account: 'demo', region: 'us', apiKey: 'Ab3dEf5hIj7lMn9pQr1tUv3xYz5bCd7f' }),
    ).toBe('https://demo.neptune.practicehub.io/api');
  });

  const refusals: [string, Parameters<typeof resolveBaseUrl>[0], RegExp][] = [
    [
      'a key of another region, naming both and what to do',
      { account: 'demo', region: 'us', apiKey: KEY },
      /key \(phk_…-eu\) belongs to region 'eu' but spec\/migration\.yaml says source\.region: us: use the key of the account in 'us', or set source\.region: eu/,
    ],
    ['no key', { account: 'demo', region: 'eu', apiKey: '' }, /set PRACTICEHUB_API_KEY/],
    ['an unknown region', { account: 'demo', region: 'mars', apiKey: KEY }, /one of eu, us, au/],
    [
      'an account that is no host label',
      { account: 'de mo/x', region: 'eu', apiKey: KEY },
      /not a valid host name label/,
    ],
    [
      'a relative override',
      { account: 'demo', region: 'eu', apiKey: KEY, override: '/api' },
      /not an absolute URL/,
    ],
    [
      'a key ending in a carriage return, naming the character and where it is, not the key',
      { account: 'demo', region: 'eu', apiKey: `${KEY}\r` },
      /PRACTICEHUB_API_KEY holds a carriage return \(a line end of a file saved on Windows\) at character 18, which an HTTP header cannot carry/,
    ],
    [
      'a key with a character outside ASCII',
      { account: 'demo', region: 'eu', apiKey: 'phk_abc€def-eu' },
      /holds a character outside ASCII \(U\+20AC\) at character 8/,
    ],
    [
      'a port out of range, by what is wrong with it',
      { account: 'demo', region: 'eu', apiKey: KEY, override: 'http://127.0.0.1:99999/api' },
      /names port 99999: ports go from 1 to 65535/,
    ],
    [
      'an override with a query',
      { account: 'demo', region: 'eu', apiKey: KEY, override: 'https://x.example/api?key=s3cret' },
      /must not carry a query/,
    ],
    [
      'a non-http override',
      { account: 'demo', region: 'eu', apiKey: KEY, override: 'ftp://x.example/api' },
      /http\(s\) URL/,
    ],
  ];
  for (const [what, input, message] of refusals) {
    it(`refuses ${what}`, () => {
      let error: unknown;
      try {
        resolveBaseUrl(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PracticeHubConfigError);
      expect((error as Error).message).toMatch(message);
      if (input.apiKey) expect((error as Error).message).not.toContain(input.apiKey);
      expect((error as Error).message).not.toContain('s3cret');
    });
  }

  it('reads the region from the key suffix only when it is a known region', () => {
    expect(regionOfKey('abc-eu')).toBe('eu');
    expect(regionOfKey('abc-def-au')).toBe('au');
    expect(regionOfKey('abc-uk1')).toBeUndefined();
    expect(regionOfKey('abceu')).toBeUndefined();
  });

  it('masks keys to 4 characters and redacts link signatures', () => {
    expect(maskKey('phk_abcdef-eu')).toBe('phk_…-eu');
    expect(maskKey('wrongkey')).toBe('…');
    expect(maskKey('s3cr3t-us')).toBe('…-us');
    expect(redactUrl('http://h/eu/files/1/content?expires=9&signature=abc_DEF')).toBe(
      'http://h/eu/files/1/content?expires=9&signature=…',
    );
    expect(redactUrl('http://h/api/patients?page=2')).toBe('http://h/api/patients?page=2');
  });

  it("redacts the credentials and signatures of storage services' signed links", () => {
    const s3 =
      'https://b.s3.amazonaws.example/f.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261126&X-Amz-Security-Token=FQoG&X-Amz-Signature=9f3a';
    expect(redactUrl(s3)).toBe(
      'https://b.s3.amazonaws.example/f.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…&X-Amz-Security-Token=…&X-Amz-Signature=…',
    );
    expect(
      redactUrl('https://s.example/f?X-Goog-Credential=svc%40p&X-Goog-Signature=ab12&access_token=ya29'),
    ).toBe('https://s.example/f?X-Goog-Credential=…&X-Goog-Signature=…&access_token=…');
  });
});
