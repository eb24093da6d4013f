import { int, list, num, obj, oneOf, str } from './coerce.ts';
import type { Acknowledgement, LeftOut, MigrationSpec } from './spec.ts';

/** Reads migration.yaml's data into a MigrationSpec, with documented defaults for absent keys. */
export function readMigration(data: unknown, file: string): MigrationSpec {
  const root = obj(data) ?? {};
  const source = obj(root.source) ?? {};
  const target = obj(root.target) ?? {};
  const publisher = obj(target.publisher) ?? {};
  const owners = obj(root.owners) ?? {};
  const staff = obj(owners.staff);
  const policies = obj(root.policies) ?? {};
  const archive = obj(root.archive);
  const acknowledge: Acknowledgement[] = [];
  list(root.acknowledge).forEach((item, i) => {
    const a = obj(item);
    const flag = str(a?.flag);
    if (!a || !flag) return;
    acknowledge.push({
      file,
      pointer: `/acknowledge/${i}`,
      flag,
      table: str(a.table),
      reason: str(a.reason) ?? '',
    });
  });
  const leftOut: LeftOut[] = [];
  list(root.left_out).forEach((item, i) => {
    const l = obj(item);
    const resource = str(l?.resource);
    if (!l || !resource) return;
    const pointer = `/left_out/${i}`;
    const named = list(l.fields).flatMap((f, j) => {
      const path = str(f);
      return path === undefined ? [] : [{ path, pointer: `${pointer}/fields/${j}` }];
    });
    leftOut.push({
      file,
      pointer,
      resource,
      fields: l.fields === undefined ? undefined : named.map((n) => n.path),
      fieldPointers: named.map((n) => n.pointer),
      reason: str(l.reason) ?? '',
    });
  });
  const staffResource = str(staff?.resource);
  const staffEmail = str(staff?.email);
  const archiveDir = str(archive?.dir);
  const archiveUrl = str(archive?.base_url);
  return {
    file,
    pointer: '',
    name: str(root.name),
    region: oneOf(source.region, ['eu', 'us', 'au'] as const),
    account: str(source.account),
    requestsPerSecond: num(obj(source.rate_limit)?.requests_per_second) ?? 1,
    pageSize: int(source.page_size) ?? 100,
    license: oneOf(target.license, ['professional', 'enterprise'] as const),
    prefix: str(publisher.prefix),
    optionValuePrefix: int(publisher.option_value_prefix) ?? 10000,
    solution: str(publisher.solution),
    timeZone: str(target.time_zone) ?? 'UTC',
    batchSize: int(target.batch_size) ?? 500,
    sampleSize: int(obj(root.sample)?.size) ?? 150,
    tolerance: num(obj(root.reconcile)?.tolerance) ?? 0,
    checksums: oneOf(obj(root.reconcile)?.checksums, ['all', 'sample'] as const) ?? 'all',
    fallbackOwner: str(owners.fallback),
    staff:
      staffResource && staffEmail
        ? { resource: staffResource, email: staffEmail, pointer: '/owners/staff' }
        : undefined,
    policies: {
      invalidEmail: oneOf(policies.invalid_email, ['reject', 'drop_with_flag'] as const) ?? 'reject',
      invalidPhone:
        oneOf(policies.invalid_phone, ['reject', 'drop_with_flag', 'keep_with_flag'] as const) ??
        'keep_with_flag',
      dateOutOfRange: oneOf(policies.date_out_of_range, ['reject', 'drop_with_flag'] as const) ?? 'reject',
      unmappedValue: oneOf(policies.unmapped_value, ['reject', 'drop_with_flag'] as const) ?? 'reject',
      deletedRecords:
        oneOf(policies.deleted_records, ['deactivate', 'delete', 'ignore'] as const) ?? 'deactivate',
    },
    archive: archiveDir && archiveUrl ? { dir: archiveDir, baseUrl: archiveUrl } : undefined,
    acknowledge,
    leftOut,
  };
}
