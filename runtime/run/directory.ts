import { type DataverseClient, DataverseError, type TablePrivilege } from '../dataverse/index.ts';
import type { GeneratedModule, PendingOwner } from '../mapping/index.ts';

/** A Dynamics user as owner resolution needs it. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly disabled: boolean;
}

/** Why a row did not get its intended owner. */
export type OwnerFallback =
  | { readonly kind: 'no_email' | 'no_user' }
  /** The owner's user is disabled (staff who have left). */
  | { readonly kind: 'disabled_user'; readonly user: User }
  /** The row names a staff id the staff resource does not list (deleted, or never there). */
  | { readonly kind: 'unknown_staff'; readonly staffId: string }
  /** Several enabled users have the owner's email: none of them is more the owner than another. */
  | { readonly kind: 'shared_email'; readonly users: readonly string[] };

/**
 * Why an owner fell back, as the flag on the record says it: "the owner <why>". Ids only: an email
 * would put staff contact details into flags, the journal and reports.
 */
export function ownerFallbackReason(fallback: OwnerFallback): string {
  switch (fallback.kind) {
    case 'no_email':
      return 'has no email';
    case 'no_user':
      return 'has no Dynamics user';
    case 'disabled_user':
      return 'is a disabled Dynamics user';
    case 'unknown_staff':
      return `is staff id ${fallback.staffId}, which is not in PracticeHub`;
    case 'shared_email':
      return `has an email that ${fallback.users.length} enabled Dynamics users share (systemuserid ${fallback.users.join(', ')})`;
  }
}

/** A staff member's email by staff id: null when the record has none, undefined when the id is unknown. */
export type StaffEmails = (staffId: string) => string | null | undefined;

/**
 * The owner of a row and why it fell back, if it did: the user of the staff member's email (a `staff`
 * owner) or of the email itself. Shared by the run and by compare, which must expect what the run did.
 */
export function resolveOwner(
  users: UserDirectory,
  owner: PendingOwner,
  staffEmail: StaffEmails,
): { user: User; fallback?: OwnerFallback } {
  if (owner.kind === 'staff' && owner.value !== null) {
    const email = staffEmail(owner.value);
    if (email === undefined)
      return { user: users.fallbackUser(), fallback: { kind: 'unknown_staff', staffId: owner.value } };
    return users.owner(email);
  }
  return users.owner(owner.value);
}

/**
 * The organisation's users by email (case-insensitive), read once per run, and the fallback owner.
 * Owners are matched by email against enabled users only. A disabled user (staff who have left) may own
 * records only while a security role gives them read access to the table (Microsoft's data migration
 * guidance, reference §2), which systemusers does not show, and a refused owner rejects the record: such
 * rows go to the fallback owner, flagged, so that they load and the change of owner is on record.
 * An email that several enabled users have matches none of them: picking the first the API returns
 * would hand one person's records to another without a trace.
 */
export class UserDirectory {
  private constructor(
    private readonly byEmail: ReadonlyMap<string, User>,
    /** Emails several enabled users have → their ids, sorted. */
    private readonly shared: ReadonlyMap<string, readonly string[]>,
    readonly fallback: User | undefined,
  ) {}

  /**
   * Reads every systemuser. Fails (an environment problem) when the fallback owner is missing, disabled
   * or not one user; when `fallbackNeeded` is false (no mapping has an owner) an unset one is no problem.
   */
  static async load(
    client: DataverseClient,
    fallbackEmail: string | undefined,
    fallbackNeeded = true,
  ): Promise<UserDirectory> {
    const all = new Map<string, User[]>();
    for await (const u of client.query<{
      systemuserid: string;
      internalemailaddress: string | null;
      isdisabled: boolean;
    }>('systemusers', {
      select: ['systemuserid', 'internalemailaddress', 'isdisabled'],
    })) {
      if (!u.internalemailaddress) continue;
      const email = u.internalemailaddress.trim().toLowerCase();
      all.set(email, [...(all.get(email) ?? []), { id: u.systemuserid, email, disabled: u.isdisabled }]);
    }
    const byEmail = new Map<string, User>();
    const shared = new Map<string, readonly string[]>();
    for (const [email, users] of all) {
      const enabled = users.filter((u) => !u.disabled);
      if (enabled.length > 1) shared.set(email, enabled.map((u) => u.id).sort());
      else byEmail.set(email, enabled[0] ?? users[0]!);
    }
    const directory = new UserDirectory(byEmail, shared, undefined);
    if (!fallbackEmail && !fallbackNeeded) return directory;
    const hint = 'set owners.fallback to the email of an enabled Dynamics user who may own migrated records';
    if (!fallbackEmail) throw new DirectoryError('owners.fallback is not set in migration.yaml', hint);
    const at = `the fallback owner ${fallbackEmail} (owners.fallback in migration.yaml)`;
    const sharedBy = directory.sharedBy(fallbackEmail);
    if (sharedBy)
      throw new DirectoryError(
        `${at} is the email of ${sharedBy.length} enabled users in the Dynamics organisation (systemuserid ${sharedBy.join(', ')})`,
        'keep the email on one enabled user only, or set owners.fallback to the email of another enabled Dynamics user',
      );
    const fallback = byEmail.get(fallbackEmail.trim().toLowerCase());
    if (!fallback || fallback.disabled)
      throw new DirectoryError(
        `${at} ${fallback ? 'is a disabled user' : 'has no user'} in the Dynamics organisation`,
        hint,
      );
    return new UserDirectory(byEmail, shared, fallback);
  }

  /** The fallback owner; only mappings with an owner ask, and load refuses those without one. */
  fallbackUser(): User {
    if (!this.fallback)
      throw new Error('bug: an owner fell back, but the directory was loaded without a fallback owner');
    return this.fallback;
  }

  /** The enabled user with this email, if exactly one has it. */
  enabled(email: string | null | undefined): User | undefined {
    const user = email ? this.byEmail.get(email.trim().toLowerCase()) : undefined;
    return user && !user.disabled ? user : undefined;
  }

  /** The ids of the enabled users that share this email, when more than one has it. */
  sharedBy(email: string | null | undefined): readonly string[] | undefined {
    return email ? this.shared.get(email.trim().toLowerCase()) : undefined;
  }

  /** The user a row matching users by email (update-by-match) writes to, or why it writes none. */
  match(email: string, column: string): { user: User } | { none: string } {
    const user = this.enabled(email);
    if (user) return { user };
    const shared = this.sharedBy(email);
    return {
      none: shared
        ? `${shared.length} enabled Dynamics users have this ${column} (systemuserid ${shared.join(', ')}), so it matches none of them`
        : `no enabled Dynamics user has this ${column}`,
    };
  }

  /** The owner for an email: the enabled user, or the fallback with the reason. */
  owner(email: string | null | undefined): { user: User; fallback?: OwnerFallback } {
    if (!email) return { user: this.fallbackUser(), fallback: { kind: 'no_email' } };
    const shared = this.sharedBy(email);
    if (shared) return { user: this.fallbackUser(), fallback: { kind: 'shared_email', users: shared } };
    const user = this.byEmail.get(email.trim().toLowerCase());
    if (!user) return { user: this.fallbackUser(), fallback: { kind: 'no_user' } };
    if (user.disabled) return { user: this.fallbackUser(), fallback: { kind: 'disabled_user', user } };
    return { user };
  }
}

/** A problem with the organisation that stops a run before it writes (exit code 2). */
export class DirectoryError extends Error {
  override name = 'DirectoryError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** The connection roles the module's mappings use, by name (lower-cased) → id. */
export async function connectionRoles(
  client: DataverseClient,
  module: GeneratedModule,
): Promise<ReadonlyMap<string, string>> {
  const names = [...new Set(Object.values(module.MAPPINGS).flatMap((m) => m.roles.map((r) => r.role)))];
  if (names.length === 0) return new Map();
  const roles = new Map<string, string>();
  for await (const r of client.query<{ connectionroleid: string; name: string }>('connectionroles', {
    select: ['connectionroleid', 'name'],
  })) {
    roles.set(r.name.toLowerCase(), r.connectionroleid);
  }
  const missing = names.filter((n) => !roles.has(n.toLowerCase()));
  if (missing.length > 0) {
    throw new DirectoryError(
      `connection role${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing in the organisation`,
      'run `flitstack schema apply`, which creates them',
    );
  }
  return roles;
}

/** The organisation's users and the connection roles the spec uses: what owners and roles resolve against. */
export interface Directory {
  readonly users: UserDirectory;
  /** Connection roles by lower-cased name → id. */
  readonly roles: ReadonlyMap<string, string>;
}

/**
 * Reads the organisation's users and the connection roles the module's mappings use. For a command
 * that writes (`writes`), also checks that the fallback owner may own rows of every table whose
 * mappings set an owner; reconcile, which only reads, resolves owners without asking.
 */
export async function loadDirectory(
  client: DataverseClient,
  module: GeneratedModule,
  writes = true,
): Promise<Directory> {
  const ownedTables = [
    ...new Set(
      Object.values(module.MAPPINGS)
        .filter((m) => m.owner)
        .map((m) => m.target),
    ),
  ].sort();
  const users = await UserDirectory.load(client, module.MIGRATION.fallbackOwner, ownedTables.length > 0);
  if (writes && ownedTables.length > 0)
    await checkFallbackReads(client, users.fallbackUser(), ownedTables, module);
  return { users, roles: await connectionRoles(client, module) };
}

/**
 * Dataverse refuses a row whose owner has no read privilege on its table ("Principal user … is missing
 * prvRead… privilege", reference §8): with a fallback owner lacking it, every row that falls back would
 * be refused one by one. So the tables' Read privileges (from their metadata: activities share
 * prvReadActivity, notes have prvReadNote) are compared, before anything is written, with what the
 * fallback owner holds through its roles and its teams' (RetrieveUserPrivileges, at any depth: a
 * team's come at Basic, PA`webapi/reference/retrieveuserprivileges`). A refused read (403), an answer
 * with no list of privileges, or a table whose metadata names none, leaves the check to the rows.
 */
async function checkFallbackReads(
  client: DataverseClient,
  fallback: User,
  tables: readonly string[],
  module: GeneratedModule,
): Promise<void> {
  let held: ReadonlySet<string> | undefined;
  let reads: Map<string, TablePrivilege>;
  try {
    held = await client.userPrivileges(fallback.id);
    if (held === undefined) return;
    reads = await client.readPrivileges(tables);
  } catch (error) {
    // An application user not allowed these reads can still load: the rows tell, one by one.
    if (error instanceof DataverseError && error.status === 403) return;
    throw error;
  }
  const missing = tables.flatMap((table) => {
    const read = reads.get(table);
    return read && !held.has(read.id) ? [{ table, privilege: read.name }] : [];
  });
  if (missing.length === 0) return;
  const privileges = [...new Set(missing.map((m) => m.privilege))];
  throw new DirectoryError(
    `the fallback owner ${module.MIGRATION.fallbackOwner} (owners.fallback in migration.yaml, systemuserid ${fallback.id}) cannot read ${missing.map((m) => `${m.table} (${m.privilege})`).join(', ')}: Dataverse refuses a row whose owner has no read privilege on its table, so every row that falls back to this owner would be refused`,
    `give that user a security role with ${privileges.join(', ')} (Read on ${privileges.map((p) => p.replace(/^prvRead/, '')).join(', ')} in the role editor; Power Platform admin center → Environments → Settings → Users → Manage security roles), assigned to the user rather than only through an Entra group team it joins when it first signs in, or set owners.fallback to the email of a user who has it`,
  );
}
