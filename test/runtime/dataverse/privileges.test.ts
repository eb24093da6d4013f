import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../runtime/dataverse/index.ts';
import { clientOptions, type Rig, rig, startGateway } from './helpers.ts';

/** Privileges: a table's from its metadata, a user's through RetrieveUserPrivileges (PA`webapi/reference/roleprivilege`). */
describe('dataverse client: privileges', () => {
  let r: Rig;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    r = await rig({
      users: [
        { email: 'ann@clinic.test', firstName: 'Ann', lastName: 'Active', isDisabled: false },
        { email: 'dan@clinic.test', firstName: 'Dan', lastName: 'New', isDisabled: false, hasRole: false },
      ],
    });
    for await (const u of r.client.query<{ systemuserid: string; internalemailaddress: string }>(
      'systemusers',
      { select: ['systemuserid', 'internalemailaddress'] },
    ))
      ids.set(u.internalemailaddress, u.systemuserid);
  });
  afterAll(() => r.close());

  it("reads each table's Read privilege by its own name, in one request", async () => {
    const before = r.client.stats().requests.metadata ?? 0;
    const reads = await r.client.readPrivileges(['appointment', 'annotation', 'contact', 'nosuchtable']);
    expect(r.client.stats().requests.metadata).toBe(before + 1);
    expect([...reads.keys()].sort()).toEqual(['annotation', 'appointment', 'contact']);
    expect(reads.get('appointment')!.name).toBe('prvReadActivity');
    expect(reads.get('annotation')!.name).toBe('prvReadNote');
    expect(reads.get('contact')!.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("holds the Read privileges a user's role gives, and none for a user without a role", async () => {
    const reads = await r.client.readPrivileges(['appointment', 'annotation']);
    const held = await r.client.userPrivileges(ids.get('ann@clinic.test')!);
    expect(held?.has(reads.get('appointment')!.id)).toBe(true);
    expect(held?.has(reads.get('annotation')!.id)).toBe(true);
    expect(await r.client.userPrivileges(ids.get('dan@clinic.test')!)).toEqual(new Set());
  });

  it('goes by privilege ids, which every version gives, and says nothing (undefined) without a list', async () => {
    const reads = await r.client.readPrivileges(['appointment']);
    let answers: 'ids only' | 'no list' = 'ids only';
    const gateway = await startGateway(r.sb.url, (req, answer) => {
      if (!req.url?.includes('RetrieveUserPrivileges')) return answer;
      const body = JSON.parse(answer.text) as { RolePrivileges: Record<string, unknown>[] };
      // Versions whose RolePrivilege has no PrivilegeName; a proxy's answer without the list.
      const idsOnly = body.RolePrivileges.map(({ PrivilegeName: _, ...rest }) => rest);
      const text = answers === 'no list' ? '{}' : JSON.stringify({ ...body, RolePrivileges: idsOnly });
      return { ...answer, text };
    });
    const client = new DataverseClient(clientOptions(r.sb, { url: gateway.url, authorityHost: gateway.url }));
    try {
      const held = await client.userPrivileges(ids.get('ann@clinic.test')!);
      expect(held?.has(reads.get('appointment')!.id)).toBe(true);
      expect(await client.userPrivileges(ids.get('dan@clinic.test')!)).toEqual(new Set());
      answers = 'no list';
      expect(await client.userPrivileges(ids.get('ann@clinic.test')!)).toBeUndefined();
    } finally {
      await client.close();
      await gateway.close();
    }
  });
});
