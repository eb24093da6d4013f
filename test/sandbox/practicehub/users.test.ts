import { describe, expect, it } from 'vitest';
import { dynamicsUsersFor, startPracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';

// /work/shared/seed.md, object mapping "Staff": staff with Dynamics 365 user licenses become User records
// matched by email; staff without licences (administrative roles) become Contact records.
describe('dynamicsUsersFor', () => {
  it("derives the organisation's users from the same staff data", async () => {
    const users = dynamicsUsersFor(1, 1);
    const sandbox = await startPracticeHubSandbox({ seed: 1, scale: 1 });
    try {
      const staff = [...sandbox.records('practitioners')];
      const byEmail = new Map(staff.filter((s) => s.email).map((s) => [String(s.email).toLowerCase(), s]));
      const matched = users.filter((u) => byEmail.has(u.email.toLowerCase()));
      const unrelated = users.filter((u) => !byEmail.has(u.email.toLowerCase()));
      expect(unrelated.map((u) => `${u.firstName} ${u.lastName}`)).toEqual([
        'CRM Administrator',
        'Integration User',
      ]);
      // Most active practitioners and managers have an enabled user.
      const licensed = staff.filter((s) => s.active && (s.role === 'practitioner' || s.role === 'manager'));
      const enabled = matched.filter((u) => !u.isDisabled);
      expect(enabled.length).toBe(licensed.length - 1);
      for (const u of enabled)
        expect(['practitioner', 'manager']).toContain(byEmail.get(u.email.toLowerCase())!.role);
      // A few who left have disabled users.
      const disabled = matched.filter((u) => u.isDisabled);
      expect(disabled).toHaveLength(1);
      expect(byEmail.get(disabled[0]!.email.toLowerCase())!.active).toBe(false);
      // Some staff have no user at all (they become contacts), including every administrative role.
      const withUser = new Set(matched.map((u) => u.email.toLowerCase()));
      const contacts = staff.filter((s) => !s.email || !withUser.has(String(s.email).toLowerCase()));
      expect(contacts.length).toBeGreaterThanOrEqual(10);
      expect(
        contacts.filter((s) => ['administrator', 'receptionist', 'billing'].includes(String(s.role))),
      ).toHaveLength(8);
      // One user's email differs from PracticeHub's in letter case only.
      expect(matched.filter((u) => !byEmail.has(u.email)).length).toBe(1);
      expect(matched.every((u) => u.firstName === byEmail.get(u.email.toLowerCase())!.first_name)).toBe(true);
    } finally {
      await sandbox.close();
    }
  });

  it('is deterministic and scales with the staff', () => {
    expect(dynamicsUsersFor(3, 2)).toEqual(dynamicsUsersFor(3, 2));
    expect(dynamicsUsersFor(3, 2).length).toBe(2 * (dynamicsUsersFor(3, 1).length - 2) + 2);
    expect(dynamicsUsersFor(3, 1)).not.toEqual(dynamicsUsersFor(4, 1));
  });
});
