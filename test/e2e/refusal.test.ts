import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as shipped from '../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import { loadDirectory } from '../../runtime/run/directory.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { startGateway } from '../runtime/dataverse/helpers.ts';
import { clients, FALLBACK_OWNER, flitstack, journalPath, sandboxes } from '../support/migration.ts';

const FORBIDDEN = JSON.stringify({
  error: { code: '0x80040220', message: 'Principal user is missing prvReadUser privilege.' },
});

let sb: Sandboxes;
beforeAll(async () => {
  sb = await sandboxes();
});
afterAll(() => sb?.close());

describe('flitstack run before the schema is applied', () => {
  it('refuses before the first write, naming each missing column, and exits 1', async () => {
    const result = await flitstack(sb, 'run', '--journal', journalPath());
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'refusing to load: the organisation lacks what the spec writes (nothing was written)',
    );
    // A custom column of the patient mapping and the alternate key it upserts through, by logical name.
    expect(result.err).toMatch(/contact\.fs_practicehubid\b/);
    expect(result.err).toMatch(/flitstack schema apply/);
    const stats = sb.dataverse.stats();
    expect(stats.recordsWritten).toBe(0);
    expect(sb.practicehub.stats().requests).toEqual({});
  });

  it('runs once the schema is applied', async () => {
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
    const result = await flitstack(sb, 'run', '--journal', journalPath(), '--rate', '1000');
    expect(result.err).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(sb.dataverse.stats().recordsWritten).toBeGreaterThan(0);
  });
});

describe('flitstack run with a fallback owner who has no security role', () => {
  it('refuses before the first write, naming the tables the owner cannot read, and exits 2', async () => {
    const roleless = await sandboxes({
      extraUsers: [{ email: FALLBACK_OWNER, firstName: 'Migration', lastName: 'Owner', hasRole: false }],
    });
    try {
      expect((await flitstack(roleless, 'schema', 'apply')).code).toBe(0);
      const written = roleless.dataverse.stats().recordsWritten;
      const result = await flitstack(roleless, 'run', '--journal', journalPath());
      expect(result.code).toBe(2);
      expect(result.err).toContain(`the fallback owner ${FALLBACK_OWNER}`);
      // Every table whose mappings set an owner: the appointments, notes and files the spec owns by staff.
      expect(result.err).toContain('cannot read annotation (prvReadNote), appointment (prvReadActivity)');
      expect(result.err).toContain('security role with prvReadNote, prvReadActivity (Read on Note, Activity');
      expect(roleless.dataverse.stats().recordsWritten).toBe(written);
      expect(roleless.practicehub.stats().requests).toEqual({});
      // Reconcile only reads: it resolves owners without asking for the fallback owner's privileges.
      const { dataverse, practicehub } = clients(roleless);
      try {
        await expect(loadDirectory(dataverse, shipped)).rejects.toThrow(/cannot read annotation/);
        const directory = await loadDirectory(dataverse, shipped, false);
        expect(directory.users.fallbackUser().email).toBe(FALLBACK_OWNER);
      } finally {
        await Promise.all([dataverse.close(), practicehub.close()]);
      }
      // An application user refused the privilege read (403) still loads: the rows tell, one by one.
      const gateway = await startGateway(roleless.dataverse.url, (req, answer) =>
        req.url?.includes('RetrieveUserPrivileges')
          ? { status: 403, headers: { 'content-type': 'application/json' }, text: FORBIDDEN }
          : answer,
      );
      const behind = new DataverseClient({
        ...optionsFromEnv(roleless.env),
        url: gateway.url,
        authorityHost: gateway.url,
      });
      try {
        const directory = await loadDirectory(behind, shipped);
        expect(directory.users.fallbackUser().email).toBe(FALLBACK_OWNER);
      } finally {
        await behind.close();
        await gateway.close();
      }
    } finally {
      await roleless.close();
    }
  });
});
