import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecretFields, redactSecrets } from '../../../runtime/shared/redact.ts';

const SECRET = { value: 'Qx8~Sd+p/L "q"', mask: '<secret>' };

describe('redactSecrets', () => {
  it.each([
    ['as sent', 'echo: Qx8~Sd+p/L "q".', 'echo: <secret>.'],
    ['form-encoded', 'body: a=1&b=Qx8%7ESd%2Bp%2FL+%22q%22&c=2', 'body: a=1&b=<secret>&c=2'],
    ['percent-encoded', 'url: /x?s=Qx8~Sd%2Bp%2FL%20%22q%22', 'url: /x?s=<secret>'],
    ['escaped in JSON', '{"echo":"Qx8~Sd+p/L \\"q\\""}', '{"echo":"<secret>"}'],
    ['every time it occurs', 'Qx8~Sd+p/L "q" and Qx8~Sd+p/L "q"', '<secret> and <secret>'],
    // .NET's HttpUtility.UrlEncode writes its escapes in lower case.
    ['form-encoded in lower case', 'body: b=Qx8%7eSd%2bp%2fL+%22q%22&c=2', 'body: b=<secret>&c=2'],
    ['percent-encoded in lower case', 'url: /x?s=Qx8~Sd%2bp%2fL%20%22q%22', 'url: /x?s=<secret>'],
    ['percent-encoded in mixed case', 'url: /x?s=Qx8~Sd%2Bp%2fL%20%22q%22', 'url: /x?s=<secret>'],
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
    [
      'a bearer token',
      'auth header was [Bearer eyJ0.eyJ1-x_y.s+g/=]',
      `auth header was [Bearer ${REDACTED}]`,
    ],
    ['an Authorization header', 'Authorization: bearer abc123==', `Authorization: bearer ${REDACTED}`],
  ])('masks the value of a credential field it was not told about: %s', (_, text, expected) => {
    expect(redactSecrets(text, [])).toBe(expected);
  });

  it('matches the letters of the secret itself only as they are', () => {
    const other = 'qX8~sD+P/l "Q" and Qx8%7ESd%2Bp%2FL+%22Q%22';
    expect(redactSecrets(other, [SECRET])).toBe(other);
  });

  it('masks a secret with characters that mean something in a pattern', () => {
    const secret = { value: 'a.b*c$&(d)[e]|f?^\\', mask: '<secret>' };
    expect(redactSecrets(`x a.b*c$&(d)[e]|f?^\\ y axb*c$&(d)[e]|f?^\\`, [secret])).toBe(
      'x <secret> y axb*c$&(d)[e]|f?^\\',
    );
    expect(redactSecrets(`s=${encodeURIComponent(secret.value).toLowerCase()}`, [secret])).toBe('s=<secret>');
  });

  it.each([
    [
      'a JSON value with an escaped quote',
      '{"client_secret":"ab\\"cd","scope":"x"}',
      `{"client_secret":"${REDACTED}","scope":"x"}`,
    ],
    ['a JSON value with spaces', '{"client_secret": "ab cd ef"}', `{"client_secret": "${REDACTED}"}`],
    [
      'a JSON value with an escaped backslash last',
      '{"access_token":"ab\\\\","x":1}',
      `{"access_token":"${REDACTED}","x":1}`,
    ],
    ['a JSON value cut short', '{"client_secret":"ab\\"cd ef', `{"client_secret":"${REDACTED}`],
    ['a value in single quotes', "{'client_secret': 'ab\\'cd ef'}", `{'client_secret': '${REDACTED}'}`],
    [
      'a decoded form value with spaces and quotes',
      "client_secret=ab cd'ef&scope=x",
      `client_secret=${REDACTED}&scope=x`,
    ],
    [
      'a form value at the end',
      'client_id=app&client_secret=ab cd',
      `client_id=app&client_secret=${REDACTED}`,
    ],
    [
      'a header value, up to its line end',
      'x-practicehub-key: phk_a b-eu\r\nhost: h',
      `x-practicehub-key: ${REDACTED}\r\nhost: h`,
    ],
    [
      'a form body echoed inside a JSON string, whose closing quote stays',
      '{"error_description":"body: client_id=app&client_secret=ab cd\\"ef\\nTrace ID: 1"}',
      `{"error_description":"body: client_id=app&client_secret=${REDACTED}\\nTrace ID: 1"}`,
    ],
  ])('masks the whole value of a credential field: %s', (_, text, expected) => {
    expect(redactSecrets(text, [])).toBe(expected);
  });

  it('keeps the mask of a known secret in a credential field, which says which secret stood there', () => {
    const secret = { value: 'Qx8~Sd+p/L "q"', mask: '[redacted] (AZURE_CLIENT_SECRET)' };
    const body = new URLSearchParams({ client_id: 'app', client_secret: secret.value, scope: 'x' });
    expect(redactSecrets(`{"error_description":"body: ${body}"}`, [secret])).toBe(
      '{"error_description":"body: client_id=app&client_secret=[redacted] (AZURE_CLIENT_SECRET)&scope=x"}',
    );
    expect(redactSecrets(JSON.stringify({ client_secret: secret.value }), [secret])).toBe(
      '{"client_secret":"[redacted] (AZURE_CLIENT_SECRET)"}',
    );
  });

  it('leaves other text alone and ignores an empty secret', () => {
    const text = 'grant_type=client_credentials&client_id=app (AADSTS900144)';
    expect(redactSecrets(text, [{ value: '', mask: '<secret>' }])).toBe(text);
  });
});

describe('redactSecretFields', () => {
  it('keeps a __proto__ key as a field of its own, redacted inside, without changing the prototype', () => {
    const options = JSON.parse('{"only":["patient"],"__proto__":{"token":"abc","batch":2},"password":"p"}');
    const out = redactSecretFields(options) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe(
      `{"only":["patient"],"__proto__":{"token":"${REDACTED}","batch":2},"password":"${REDACTED}"}`,
    );
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { token?: unknown }).token).toBeUndefined();
  });

  it('keeps a __proto__ key holding a plain value', () => {
    const out = redactSecretFields(JSON.parse('[{"__proto__":"x","a":1}]'));
    expect(JSON.stringify(out)).toBe('[{"__proto__":"x","a":1}]');
  });
});
