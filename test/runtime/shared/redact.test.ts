import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from '../../../runtime/shared/redact.ts';

const SECRET = { value: 'Qx8~Sd+p/L "q"', mask: '<secret>' };

describe('redactSecrets', () => {
  it.each([
    ['as sent', 'echo: Qx8~Sd+p/L "q".', 'echo: <secret>.'],
    ['form-encoded', 'body: a=1&b=Qx8%7ESd%2Bp%2FL+%22q%22&c=2', 'body: a=1&b=<secret>&c=2'],
    ['percent-encoded', 'url: /x?s=Qx8~Sd%2Bp%2FL%20%22q%22', 'url: /x?s=<secret>'],
    ['escaped in JSON', '{"echo":"Qx8~Sd+p/L \\"q\\""}', '{"echo":"<secret>"}'],
    ['every time it occurs', 'Qx8~Sd+p/L "q" and Qx8~Sd+p/L "q"', '<secret> and <secret>'],
  ])('masks the secret %s', (_, text, expected) => {
    expect(redactSecrets(text, [SECRET])).toBe(expected);
  });

  it.each([
    [
      'a form field',
      'client_id=app&client_secret=other-value&scope=x',
      `client_id=app&client_secret=${REDACTED}&scope=x`,
    ],
    [
      'a JSON field',
      '{"access_token": "eyJ0.eyJ1.sig", "expires_in": 3599}',
      `{"access_token": "${REDACTED}", "expires_in": 3599}`,
    ],
    ['a header echo', 'x-practicehub-key: phk_abc-eu', `x-practicehub-key: ${REDACTED}`],
    ['any letter case', 'CLIENT_SECRET=abc', `CLIENT_SECRET=${REDACTED}`],
  ])('masks the value of a credential field it was not told about: %s', (_, text, expected) => {
    expect(redactSecrets(text, [])).toBe(expected);
  });

  it('leaves other text alone and ignores an empty secret', () => {
    const text = 'grant_type=client_credentials&client_id=app (AADSTS900144)';
    expect(redactSecrets(text, [{ value: '', mask: '<secret>' }])).toBe(text);
  });
});
