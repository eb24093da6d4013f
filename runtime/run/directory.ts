import type { DataverseClient } from '../dataverse/index.ts';
import type { GeneratedModule } from '../mapping/index.ts';

/** A Dynamics user as owner resolution needs it. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly disabled: boolean;
}

/** Why a row did not get its intended owner. */
export type OwnerFallback = 'no_email' | 'no_user' | 'disabled_user';

/** Why an owner fell back, as the flag on the record says it: "the owner <why>". */
export function ownerFallbackReason(fallback: OwnerFallback): string {
  return fallback === 'no_email'
    ? 'has no email'
    : fallback === 'no_user'
      ? 'has no Dynamics user'
      : 'is a disabled Dynamics user';
}

/**
 * The organisation's users by email (case-insensitive), read once per run, and the fallback owner.
 * Owners are matched by email against enabled users only. A disabled user (staff who have left) may own
 * records only while a security role gives them read access to the table (Microsoft's data migration
 * guidance, reference §2), which systemusers does not show, and a refused owner rejects the record: such
 * rows go to the fallback owner, flagged, so that they load and the change of owner is on record.
 */
export class UserDirectory {
  private constructor(
    private readonly byEmail: ReadonlyMap<string, User>,
    readonly fallback: User,
  ) {}

  /** Reads every systemuser; fails (an environment problem) when the fallback owner is missing or disabled. */
  static async load(client: DataverseClient, fallbackEmail: string | undefined): Promise<UserDirectory> {
    const byEmail = new Map<string, User>();
    for await (const u of client.query<{
      systemuserid: string;
      internalemailaddress: string | null;
      isdisabled: boolean;
    }>('systemusers', {
      select: ['systemuserid', 'internalemailaddress', 'isdisabled'],
    })) {
      if (!u.internalemailaddress) continue;
      const email = u.internalemailaddress.trim().toLowerCase();
      const user = { id: u.systemuserid, email, disabled: u.isdisabled };
      const known = byEmail.get(email);
      if (!known || (known.disabled && !user.disabled)) byEmail.set(email, user);
    }
    const fallback = fallbackEmail ? byEmail.get(fallbackEmail.trim().toLowerCase()) : undefined;
    if (!fallback || fallback.disabled) {
      throw new DirectoryError(
        fallbackEmail
          ? `the fallback owner ${fallbackEmail} (owners.fallback in migration.yaml) ${fallback ? 'is a disabled user' : 'has no user'} in the Dynamics organisation`
          : 'owners.fallback is not set in migration.yaml',
        'set owners.fallback to the email of an enabled Dynamics user who may own migrated records',
      );
    }
    return new UserDirectory(byEmail, fallback);
  }

  /** The enabled user with this email, if any. */
  enabled(email: string | null | undefined): User | undefined {
    const user = email ? this.byEmail.get(email.trim().toLowerCase()) : undefined;
    return user && !user.disabled ? user : undefined;
  }

  /** The owner for an email: the enabled user, or the fallback with the reason. */
  owner(email: string | null | undefined): { user: User; fallback?: OwnerFallback } {
    if (!email) return { user: this.fallback, fallback: 'no_email' };
    const user = this.byEmail.get(email.trim().toLowerCase());
    if (!user) return { user: this.fallback, fallback: 'no_user' };
    if (user.disabled) return { user: this.fallback, fallback: 'disabled_user' };
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

/** Reads the organisation's users and the connection roles the module's mappings use. */
export async function loadDirectory(client: DataverseClient, module: GeneratedModule): Promise<Directory> {
  const users = await UserDirectory.load(client, module.MIGRATION.fallbackOwner);
  return { users, roles: await connectionRoles(client, module) };
}
