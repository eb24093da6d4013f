import { Catalog, nameGuid } from './metadata/catalog.ts';
import { BASE_MESSAGES, BULK_MESSAGES } from './metadata/system.ts';
import type { KeyMeta, TableMeta } from './metadata/types.ts';
import type { SandboxConfig } from './options.ts';
import { type Row, Store, type Value } from './store.ts';

/** The ids of the rows every sandbox starts with. */
export interface SeedIds {
  readonly organizationId: string;
  readonly businessUnitId: string;
  readonly teamId: string;
  readonly currencyId: string;
  readonly appUserId: string;
  readonly defaultPublisherId: string;
}

/**
 * Everything `reset()` throws away: the catalog (custom tables, columns, keys) and the rows. One instance
 * per server; nothing here is module-level, so two sandboxes in one process share nothing.
 */
export class SandboxState {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly ids: SeedIds;
  /** Users seeded without a security role (SeedUser.hasRole false). */
  readonly roleless = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly config: SandboxConfig) {
    this.catalog = new Catalog(config.bulkMessages);
    const catalog = this.catalog;
    this.store = new Store((table) => catalog.table(table)?.def.writable ?? false);
    this.ids = {
      organizationId: nameGuid(`organization:${config.tenantId}`),
      businessUnitId: nameGuid(`businessunit:${config.tenantId}`),
      teamId: nameGuid(`team:${config.tenantId}`),
      currencyId: nameGuid(`transactioncurrency:${config.tenantId}`),
      appUserId: nameGuid(`systemuser:${config.clientId}`),
      defaultPublisherId: nameGuid(`publisher:${config.tenantId}:default`),
    };
    this.seed();
    this.syncMessages();
  }

  /** Stops pending key activations (on close and reset). */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Key indexes are built asynchronously (PA`define-alternate-keys-entity`): Pending, then Active after
   * the configured delay, or Failed when existing rows hold duplicates. A key built again keeps its
   * status (Failed) for `lagMs` first, until its build job starts.
   */
  scheduleKeyActivation(table: TableMeta, key: KeyMeta, delayMs: number, lagMs = 0): void {
    if (lagMs > 0) {
      this.later(lagMs, () => this.scheduleKeyActivation(table, key, delayMs));
      return;
    }
    const activate = () => {
      key.status = this.store.addKey(table.def.logicalName, key) ? 'Active' : 'Failed';
    };
    if (delayMs <= 0) {
      activate();
      return;
    }
    key.status = 'Pending';
    this.later(delayMs, activate);
  }

  /** Runs `action` after `ms`, unless the sandbox closes first. */
  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Rebuilds sdkmessage/sdkmessagefilter rows from the catalog (bulk-operations: clients query them). */
  syncMessages(): void {
    const now = Date.now();
    for (const name of [...BASE_MESSAGES, ...BULK_MESSAGES]) {
      this.store.put(
        'sdkmessage',
        nameGuid(`sdkmessage:${name}`),
        this.row('sdkmessage', nameGuid(`sdkmessage:${name}`), now, { name }),
      );
    }
    for (const table of this.catalog.all()) {
      if (!table.def.writable) continue;
      const messages = table.bulk ? [...BASE_MESSAGES, ...BULK_MESSAGES] : BASE_MESSAGES;
      for (const message of messages) {
        const id = nameGuid(`sdkmessagefilter:${message}:${table.def.logicalName}`);
        this.store.put(
          'sdkmessagefilter',
          id,
          this.row('sdkmessagefilter', id, now, {
            name: `${message} ${table.def.logicalName}`,
            primaryobjecttypecode: table.def.logicalName,
            secondaryobjecttypecode: 'none',
            isvisible: true,
            sdkmessageid: { id: nameGuid(`sdkmessage:${message}`), table: 'sdkmessage' },
          }),
        );
      }
    }
  }

  private seed(): void {
    const c = this.config;
    const ids = this.ids;
    const now = Date.now();
    const bu = { id: ids.businessUnitId, table: 'businessunit' };
    const org = c.tenantId.slice(0, 8);
    this.put('businessunit', ids.businessUnitId, now, {
      name: `org${org}`,
      isdisabled: false,
      parentbusinessunitid: null,
    });
    this.put('team', ids.teamId, now, {
      name: `org${org}`,
      teamtype: 0,
      isdefault: true,
      businessunitid: bu,
    });
    this.put('transactioncurrency', ids.currencyId, now, {
      currencyname: 'US Dollar',
      isocurrencycode: 'USD',
      currencysymbol: '$',
      exchangerate: 1,
      currencyprecision: 2,
      statecode: 0,
      statuscode: 1,
    });
    // The caller is an application user bound to the app registration (reference §7).
    this.put('systemuser', ids.appUserId, now, {
      fullname: '# FlitStack Sandbox',
      firstname: '#',
      lastname: 'FlitStack Sandbox',
      internalemailaddress: `app-${c.clientId.slice(0, 8)}@sandbox.invalid`,
      applicationid: c.clientId,
      accessmode: 4,
      isdisabled: false,
      islicensed: false,
      businessunitid: bu,
    });
    for (const u of c.users) {
      const id = nameGuid(`systemuser:${u.email.toLowerCase()}`);
      if (u.hasRole === false) this.roleless.add(id);
      this.put('systemuser', id, now, {
        fullname: `${u.firstName} ${u.lastName}`,
        firstname: u.firstName,
        lastname: u.lastName,
        internalemailaddress: u.email,
        domainname: u.email,
        isdisabled: u.isDisabled,
        islicensed: !u.isDisabled,
        accessmode: 0,
        azureactivedirectoryobjectid: nameGuid(`aad:${u.email.toLowerCase()}`),
        businessunitid: bu,
      });
    }
    this.put('publisher', ids.defaultPublisherId, now, {
      friendlyname: 'Default Publisher',
      uniquename: 'DefaultPublisher',
      customizationprefix: 'new',
      customizationoptionvalueprefix: 10000,
    });
    this.put('solution', nameGuid(`solution:${c.tenantId}:default`), now, {
      friendlyname: 'Default Solution',
      uniquename: 'Default',
      version: '1.0',
      ismanaged: false,
      publisherid: { id: ids.defaultPublisherId, table: 'publisher' },
    });
    for (const p of c.publishers) {
      const publisherId = nameGuid(`publisher:${c.tenantId}:${p.uniqueName}`);
      this.put('publisher', publisherId, now, {
        friendlyname: p.friendlyName,
        uniquename: p.uniqueName,
        customizationprefix: p.prefix,
        customizationoptionvalueprefix: p.optionValuePrefix,
      });
      this.put('solution', nameGuid(`solution:${c.tenantId}:${p.uniqueName}`), now, {
        friendlyname: p.friendlyName,
        uniquename: p.uniqueName,
        version: '1.0.0.0',
        ismanaged: false,
        publisherid: { id: publisherId, table: 'publisher' },
      });
    }
  }

  private put(table: string, id: string, now: number, values: Record<string, Value>): void {
    this.store.put(table, id, this.row(table, id, now, values));
  }

  private row(table: string, id: string, now: number, values: Record<string, Value>): Row {
    const meta = this.catalog.table(table)!;
    const app = { id: this.ids.appUserId, table: 'systemuser' };
    return {
      [meta.def.primaryId]: id,
      createdon: Math.floor(now / 1000) * 1000,
      modifiedon: Math.floor(now / 1000) * 1000,
      createdby: app,
      modifiedby: app,
      overriddencreatedon: null,
      versionnumber: this.store.nextVersion(),
      ...values,
    };
  }
}
