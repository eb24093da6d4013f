import {
  type GeneratedModule,
  groupKeyOf,
  idText,
  type MappingDefinition,
  type SourceRecord,
} from '../mapping/index.ts';
import { type PracticeHubClient, PracticeHubRequestError } from '../practicehub/index.ts';
import { projectionFields, projectRecord } from '../practicehub/records.ts';
import type { UserDirectory } from '../run/directory.ts';
import type { Criterion, Facts } from './criteria.ts';
import { parentsOf, readOrder } from './parents.ts';
import { Picker, Spread, spreadRank } from './pick.ts';

/** What the selection reads with. */
export interface SelectDeps {
  readonly module: GeneratedModule;
  readonly practicehub: PracticeHubClient;
  readonly users: UserDirectory;
  /** Progress: a resource read, a resource's records chosen (counts only, no record data). */
  readonly onEvent?: (event: SelectEvent) => void;
}

/** Progress of the selection. */
export type SelectEvent =
  | { readonly type: 'read'; readonly resource: string; readonly records: number; readonly pages: number }
  | { readonly type: 'chosen'; readonly resource: string; readonly records: number };

/** A record the sample holds, and every reason it is there. */
export interface Chosen {
  readonly record: SourceRecord;
  /** Position in the source (read order), for loading in source order. */
  readonly seq: number;
  readonly reasons: string[];
}

/** The sample: records per resource in source order, why each is there, and what reading them cost. */
export interface Selection {
  readonly order: readonly string[];
  readonly chosen: ReadonlyMap<string, ReadonlyMap<string, Chosen>>;
  /** Picks of each criterion (a record picked by several counts for each), in the order of the criteria. */
  readonly criteria: readonly { readonly id: string; readonly label: string; readonly records: number }[];
  /** Records in each resource (total_entries). */
  readonly totals: Readonly<Record<string, number>>;
  /**
   * PracticeHub requests: made (parents read by id included), the minimum one full read of these
   * resources takes (one per page of `pageSize`), and records read by id.
   */
  readonly requests: { readonly made: number; readonly minimum: number; readonly byId: number };
  /** Records the sample needed as parents that PracticeHub does not have (`resource id`). */
  readonly dangling: readonly string[];
}

/** A chosen record with what each mapping of its resource makes of it (closing follows its lookups). */
interface Held extends Chosen {
  readonly outcomes: Facts['outcomes'];
}

/** A record held from the read: the staff directory, a grouped resource, or a parent the sample needs. */
interface Kept {
  readonly record: SourceRecord;
  readonly seq: number;
  /** Its group under the resource's grouping mapping (its id when none). */
  readonly groupKey: string;
}

interface Read {
  readonly pickers: Picker[];
  readonly spread: Spread<Facts>;
  readonly kept: Map<string, Kept>;
}

const mappingsOf = (module: GeneratedModule, resource: string) =>
  module.LOAD_ORDER.map((n) => module.MAPPINGS[n]!).filter((m) => m.source === resource);

const outcomesOf = (mappings: readonly MappingDefinition[], record: SourceRecord): Facts['outcomes'] =>
  mappings.map((m) => ({ mapping: m, outcome: m.transform(record) }));

/** Why a parent is in the sample. */
const neededBy = (resource: string, id: string) => `needed by ${resource} ${id}`;

/**
 * Picks the sample in one read of each resource: children before parents (see `readOrder`), each
 * record judged by every criterion as it streams by, the criteria's picks kept (bounded), the rest
 * spread evenly to fill `size`; then closes it under lookups, owners and updated rows, so no sampled
 * record is rejected for a parent the sample lacks. A parent in a resource already read (a clinic's
 * parent clinic) is fetched by id.
 */
export async function selectSample(
  deps: SelectDeps,
  size: number,
  criteria: readonly Criterion[],
): Promise<Selection> {
  const { module, practicehub } = deps;
  const order = readOrder(module);
  const staff = module.MIGRATION.staff;
  const grouped = (r: string) => mappingsOf(module, r).find((m) => m.group);
  // Held whole: the staff directory (owners are judged by it) and resources a mapping groups (a group
  // must be loaded whole for the pick to be the one a full run makes). Finished last, parents last.
  const retained = order.filter((r) => r === staff?.resource || grouped(r));
  const chosen = new Map<string, Map<string, Held>>(order.map((r) => [r, new Map()]));
  const required = new Map<string, Map<string, string[]>>(order.map((r) => [r, new Map()]));
  const reads = new Map<string, Read>();
  const finished = new Set<string>();
  const totals: Record<string, number> = {};
  const dangling: string[] = [];
  const counts = new Map<string, number>(criteria.map((c) => [c.id, 0]));
  const before = practicehub.stats().requests;
  let minimum = 0;
  let byId = 0;
  let seq = 0;

  const inactiveOwners = (mappings: readonly MappingDefinition[], outcomes: Facts['outcomes']) => {
    const directory = staff ? reads.get(staff.resource)?.kept : undefined;
    if (!directory || !staff) return [];
    return outcomes.flatMap(({ mapping, outcome }) => {
      const owner = outcome.kind === 'rows' ? outcome.rows[0]?.owner : undefined;
      if (!mappings.includes(mapping) || owner?.kind !== 'staff' || !owner.value) return [];
      const member = directory.get(owner.value)?.record;
      if (!member) return [];
      const email = member[staff.emailField];
      return member.active === false || !deps.users.enabled(typeof email === 'string' ? email : null)
        ? [mapping.name]
        : [];
    });
  };

  /** Adds a record (or a reason it is there); the read's outcomes are reused when the caller has them. */
  const choose = (
    resource: string,
    id: string,
    record: SourceRecord,
    at: number,
    reason: string,
    outcomes?: Facts['outcomes'],
  ) => {
    const into = chosen.get(resource)!;
    const known = into.get(id);
    if (known) {
      if (!known.reasons.includes(reason)) known.reasons.push(reason);
      return false;
    }
    // Kept records carry no outcomes (for a resource held whole that would double what it holds), so
    // they and parents fetched by id are transformed here: once per chosen record, not per record read.
    into.set(id, {
      record,
      seq: at,
      reasons: [reason],
      outcomes: outcomes ?? outcomesOf(mappingsOf(module, resource), record),
    });
    return true;
  };

  const fetchById = async (resource: string, id: string): Promise<SourceRecord | undefined> => {
    byId++;
    try {
      const record = await practicehub.get(resource, id);
      const used = module.RESOURCES[resource]?.used;
      return used ? projectRecord(record, projectionFields(used)) : record;
    } catch (error) {
      if (error instanceof PracticeHubRequestError && error.status === 404) return undefined;
      throw error;
    }
  };

  /** Adds the parents of newly chosen records: to the sample if their resource is done, else as required. */
  const close = async (resource: string, ids: readonly string[]) => {
    const work = ids.map((id) => ({ resource, id }));
    while (work.length > 0) {
      const { resource: r, id } = work.pop()!;
      for (const { mapping: m, outcome } of chosen.get(r)!.get(id)!.outcomes) {
        for (const parent of parentsOf(module, m, outcome)) {
          if (!chosen.has(parent.resource) || (parent.resource === r && parent.id === id)) continue;
          const reason = neededBy(r, id);
          if (!finished.has(parent.resource)) {
            const wanted = required.get(parent.resource)!;
            const reasons = wanted.get(parent.id);
            if (reasons) reasons.push(reason);
            else wanted.set(parent.id, [reason]);
            continue;
          }
          const known = chosen.get(parent.resource)!.get(parent.id);
          if (known) {
            if (!known.reasons.includes(reason)) known.reasons.push(reason);
            continue;
          }
          const held = reads.get(parent.resource)?.kept.get(parent.id);
          const found = held?.record ?? (await fetchById(parent.resource, parent.id));
          if (!found) {
            dangling.push(`${parent.resource} ${parent.id}`);
            continue;
          }
          choose(parent.resource, parent.id, found, held?.seq ?? Number.MAX_SAFE_INTEGER, reason);
          work.push(parent);
        }
      }
    }
  };

  const read = async (resource: string) => {
    const mappings = mappingsOf(module, resource);
    const group = grouped(resource)?.group;
    const pickers = criteria.filter((c) => !c.resource || c.resource === resource).map((c) => new Picker(c));
    const spread = new Spread<Facts>(size);
    const kept = new Map<string, Kept>();
    const whole = retained.includes(resource);
    const fields = module.RESOURCES[resource]?.used;
    let pages = 0;
    for await (const page of practicehub.pages(resource, fields ? { fields } : {})) {
      pages++;
      totals[resource] = page.totalEntries;
      for (const record of page.records) {
        const id = idText(record.id);
        if (id === null) continue;
        seq++;
        const outcomes = outcomesOf(mappings, record);
        const facts: Facts = {
          resource,
          id,
          record,
          seq,
          outcomes,
          inactiveOwners: inactiveOwners(mappings, outcomes),
        };
        for (const p of pickers) p.see(facts);
        const groupKey = group ? groupKeyOf(group, record) : id;
        spread.offer(spreadRank(resource, groupKey), facts);
        if (whole || required.get(resource)!.has(id)) kept.set(id, { record, seq, groupKey });
      }
    }
    minimum += Math.max(1, Math.ceil((totals[resource] ?? 0) / module.MIGRATION.pageSize));
    reads.set(resource, { pickers, spread, kept });
    deps.onEvent?.({ type: 'read', resource, records: totals[resource] ?? 0, pages });
  };

  const finish = async (resource: string) => {
    const { pickers, spread, kept } = reads.get(resource)!;
    const added: string[] = [];
    const add = (
      id: string,
      record: SourceRecord,
      at: number,
      reason: string,
      outcomes?: Facts['outcomes'],
    ) => {
      if (choose(resource, id, record, at, reason, outcomes)) added.push(id);
    };
    for (const [id, reasons] of required.get(resource)!) {
      const held = kept.get(id);
      if (!held) dangling.push(`${resource} ${id}`);
      else for (const reason of reasons) add(id, held.record, held.seq, reason);
    }
    required.get(resource)!.clear();
    for (const p of pickers)
      for (const pick of p.picks()) {
        const label = pick.key ? `${pick.criterion.label} (${pick.key})` : pick.criterion.label;
        add(pick.facts.id, pick.facts.record, pick.facts.seq, label, pick.facts.outcomes);
        counts.set(pick.criterion.id, (counts.get(pick.criterion.id) ?? 0) + 1);
      }
    const group = grouped(resource)?.group;
    // The held records of each group, in read order; built once rather than scanned per record.
    const members = new Map<string, string[]>();
    if (group)
      for (const [id, r] of kept) {
        const ids = members.get(r.groupKey);
        if (ids) ids.push(id);
        else members.set(r.groupKey, [id]);
      }
    const othersOf = (id: string, record: SourceRecord) =>
      group ? (members.get(groupKeyOf(group, record)) ?? []).filter((other) => other !== id) : [];
    const held = [...chosen.values()].reduce((n, c) => n + c.size, 0);
    const pending = [...required.values()].reduce((n, r) => n + r.size, 0);
    const left = order.length - finished.size;
    // Each resource still to finish gets one record per mapping whatever the fill; kept out of the
    // fill here so that the sample stays within the size.
    const reserved = order
      .filter((r) => r !== resource && !finished.has(r))
      .reduce((n, r) => n + mappingsOf(module, r).length, 0);
    let fill = Math.max(0, Math.floor((size - held - pending - reserved) / Math.max(1, left)));
    for (const facts of spread.ranked()) {
      if (fill <= 0) break;
      if (chosen.get(resource)!.has(facts.id)) continue;
      add(facts.id, facts.record, facts.seq, 'an ordinary record (even spread)', facts.outcomes);
      // Its group comes whole (below), and counts against the fill.
      fill -= 1 + othersOf(facts.id, facts.record).length;
    }
    if (group) {
      // A group is loaded whole, so the record the run picks from it is the one a full run picks.
      for (const [id, { record }] of [...chosen.get(resource)!]) {
        for (const other of othersOf(id, record)) {
          const r = kept.get(other)!;
          add(other, r.record, r.seq, `same ${group.by.join('.')} as ${id}`);
        }
      }
    }
    finished.add(resource);
    await close(resource, added);
    deps.onEvent?.({ type: 'chosen', resource, records: chosen.get(resource)!.size });
  };

  for (const resource of order) {
    await read(resource);
    if (!retained.includes(resource)) await finish(resource);
  }
  for (const resource of [...retained].reverse()) await finish(resource);
  return {
    order,
    chosen,
    criteria: criteria.map((c) => ({ id: c.id, label: c.label, records: counts.get(c.id) ?? 0 })),
    totals,
    requests: { made: practicehub.stats().requests - before, minimum, byId },
    dangling,
  };
}
