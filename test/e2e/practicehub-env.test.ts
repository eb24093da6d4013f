import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, flitstackWith, journalPath, sandboxes } from '../support/migration.ts';

describe('PracticeHub settings a header cannot carry', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await sandboxes();
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  }, 60_000);
  afterAll(() => sb?.close());

  const cases: [string, NodeJS.ProcessEnv, string][] = [
    [
      'an API key pasted with a carriage return',
      { PRACTICEHUB_API_KEY: 'phk_0123456789abcdef-eu\r' },
      'PRACTICEHUB_API_KEY holds a carriage return',
    ],
    [
      'an API key with a euro sign',
      { PRACTICEHUB_API_KEY: 'phk_abc€def-eu' },
      'a character outside ASCII (U+20AC)',
    ],
    [
      'a contact email with a line end',
      { PRACTICEHUB_CONTACT_EMAIL: 'ops@clinic.example\r' },
      'PRACTICEHUB_CONTACT_EMAIL holds a carriage return',
    ],
    [
      'a contact email that is not one',
      { PRACTICEHUB_CONTACT_EMAIL: 'notanemail' },
      'PRACTICEHUB_CONTACT_EMAIL is not an email address ("notanemail")',
    ],
  ];
  for (const [what, env, message] of cases) {
    it(`refuses ${what} with exit 2 before a run starts, naming the variable and not the key`, async () => {
      const journal = journalPath();
      for (const command of [['run', '--journal', journal], ['audit']]) {
        const result = await flitstackWith(sb, env, ...command);
        expect([command[0], result.code]).toEqual([command[0], 2]);
        expect(result.err).toContain(message);
        expect(result.err).not.toMatch(/\n\s+at /); // no stack trace
        expect(result.err).not.toContain('0123456789abcdef');
        expect(result.err).not.toContain('abc€def');
      }
      expect(existsSync(journal)).toBe(false);
    });
  }
});
