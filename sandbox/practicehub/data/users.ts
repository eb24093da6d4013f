import { createContext } from './context.ts';
import { isActive, roleOf, staffDomain, staffEmail, staffName } from './practitioners.ts';

/** A Dynamics 365 user the clinic group's organisation has (seeds the Dataverse sandbox's systemusers). */
export interface DynamicsUserSeed {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly isDisabled: boolean;
}

/**
 * The Dynamics users of the organisation matching PracticeHub data (seed, scale). Per block of 25 staff:
 * - active practitioners and managers have enabled users, except position 23 (a practitioner without a
 *   licence: becomes a contact);
 * - position 4 (a practitioner who left) has a disabled user; 17 (also left) has none;
 * - administrators, receptionists, billing staff, staff without email and the two receptionists sharing
 *   a mailbox have no user (they become contacts);
 * - position 6's user email differs in letter case from PracticeHub's (Entra keeps what was typed), so
 *   owner matching must ignore case.
 * Plus two users unrelated to PracticeHub: a CRM administrator and an integration user.
 */
export function dynamicsUsersFor(seed: number, scale: number): DynamicsUserSeed[] {
  const ctx = createContext(seed, scale);
  const users: DynamicsUserSeed[] = [];
  for (let n = 0; n < ctx.counts.practitioners; n += 1) {
    const email = staffEmail(ctx, n);
    const role = roleOf(n);
    const position = n % 25;
    if (!email || (role !== 'practitioner' && role !== 'manager') || position === 23 || position === 17)
      continue;
    if (!isActive(n) && position !== 4) continue;
    const { first, last } = staffName(ctx, n);
    const typed =
      position === 6
        ? email.replace(/(^|\.)([a-z])/g, (_m, dot: string, c: string) => dot + c.toUpperCase())
        : email;
    users.push({ email: typed, firstName: first, lastName: last, isDisabled: !isActive(n) });
  }
  const domain = staffDomain(ctx);
  users.push(
    { email: `crm.admin@${domain}`, firstName: 'CRM', lastName: 'Administrator', isDisabled: false },
    { email: `integration.user@${domain}`, firstName: 'Integration', lastName: 'User', isDisabled: false },
  );
  return users;
}
