import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../runtime/dataverse/index.ts';
import { clientOptions, type Rig, rig, startGateway } from './helpers.ts';

/** A user's privileges, through RetrieveUserPrivileges (PA`webapi/reference/roleprivilege`). */
describe('dataverse client: user privileges', () => {
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

  it("names the privileges a user's role gives, and none for a user without a role", async () => {
    const held = await r.client.userPrivileges(ids.get('ann@clinic.test')!);
    expect(held?.has('prvReadAppointment')).toBe(true);
    expect(held?.has('prvReadContact')).toBe(true);
    expect(await r.client.userPrivileges(ids.get('dan@clinic.test')!)).toEqual(new Set());
  });

  it('says nothing (undefined) when the answer gives privilege ids only, as older versions do', async () => {
    const gateway = await startGateway(r.sb.url, (req, answer) => {
      if (!req.url?.includes('RetrieveUserPrivileges')) return answer;
      const body = JSON.parse(answer.text) as { RolePrivileges: Record<string, unknown>[] };
      const idsOnly = body.RolePrivileges.map(({ PrivilegeName: _, ...rest }) => rest);
      return { ...answer, text: JSON.stringify({ ...body, RolePrivileges: idsOnly }) };
    });
    const client = new DataverseClient(clientOptions(r.sb, { url: gateway.url, authorityHost: gateway.url }));
    try {
      expect(await client.userPrivileges(ids.get('ann@clinic.test')!)).toBeUndefined();
      // No privileges at all is an answer whatever the version: the user has none.
      expect(await client.userPrivileges(ids.get('dan@clinic.test')!)).toEqual(new Set());
    } finally {
      await client.close();
      await gateway.close();
    }
  });
});
