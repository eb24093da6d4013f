import { assertNever } from '../assert.ts';
import { plural } from './markdown.ts';
import type { EntryChange, MappingDiff, OptionChange, RiskNote } from './types.ts';
import { mapValueText } from './words.ts';

/** How a renderer marks up pieces of a sentence: names (code spans in Markdown) and spec text. */
export interface Marks {
  readonly name: (s: string) => string;
  readonly text: (s: string) => string;
}

/** Plain marks, for JSON and logs. */
export const PLAIN: Marks = { name: (s) => s, text: (s) => s };

/** A risk note in words: what it is, what it does to data already loaded, and what to do. */
export interface RiskWords {
  readonly title: string;
  readonly effect: string;
  readonly action: string;
}

const optionList = (m: Marks, options: readonly OptionChange[]) =>
  options
    .map(
      (o) =>
        `${m.name(o.key)} (${m.text(o.before?.label ?? '')}, ${o.before?.value}${o.after ? ` → ${o.after.value}` : ''})`,
    )
    .join(', ');

const RELOADED =
  'until they are loaded again; a full run writes them again, as their payload changes, but a delta run reloads only records changed since.';

type ValueMapNote = Extract<RiskNote, { kind: `value-map-${string}` }>;

/** Where a value map's values go, what they are, and its first few entries (each source value, then `show`). */
function mapWords(
  note: ValueMapNote,
  m: Marks,
  show: (e: EntryChange) => string,
): { where: string; what: string; shown: string } {
  const entries = 'entries' in note ? note.entries : [];
  const count = 'count' in note ? note.count : 0;
  const listed = entries.map((e) => `${m.text(JSON.stringify(e.source))}${show(e)}`).join(', ');
  return {
    where: note.use.kind === 'column' ? ` on ${m.name(note.use.column)}` : '',
    what: note.use.kind === 'column' ? 'value' : 'state and status',
    shown: count > entries.length ? `${listed}, and ${count - entries.length} more` : listed,
  };
}

/**
 * What happens to `who` (records whose source value has no entry now) from the next run on, and to
 * their rows already loaded, which hold `old`: the head map's default with a flag, or its unmapped
 * policy (runtime/transforms/value-map.ts, runtime/mapping/records.ts mapState). `restore` is what
 * keeps the values they had.
 */
function unmatchedWords(
  note: Extract<ValueMapNote, { unmatched: unknown }>,
  m: Marks,
  who: string,
  old: string,
  restore: string,
): Omit<RiskWords, 'title'> {
  const loaded = `their rows already loaded into ${m.name(note.table)} keep ${old}`;
  const keep = `${restore} if these records should keep what they had`;
  const { default: fallback, unmapped } = note.unmatched;
  if (fallback !== undefined)
    return {
      effect: `from the next run on, ${who} get the map's default, ${m.text(fallback)}, with a flag (unmapped_value_defaulted); ${loaded} ${RELOADED}`,
      action: `run the mapping in full after merging, so that the rows already loaded get the default, or ${keep}.`,
    };
  if (unmapped === 'reject')
    return {
      effect: `from the next run on, ${who} are rejected (unmapped_value); ${loaded}, as a rejected record writes nothing.`,
      action: `before merging, ${keep}; otherwise correct the values at the source, and the rows already loaded in Dynamics.`,
    };
  if (note.use.kind === 'state')
    return {
      effect: `from the next run on, ${who} load with their state left as it is and a flag (unmapped_value_dropped); ${loaded}.`,
      action: `before merging, ${keep}; otherwise set the state of the rows already loaded in Dynamics.`,
    };
  return {
    effect: `from the next run on, ${who} load with ${m.name(note.use.column)} empty and a flag (unmapped_value_dropped); ${loaded} ${RELOADED}`,
    action: `run the mapping in full after merging, so that the rows already loaded are emptied too, or ${keep}.`,
  };
}

/** The words of a risk note, with names and spec text marked up by `m`. */
export function riskWords(note: RiskNote, m: Marks): RiskWords {
  switch (note.kind) {
    case 'key-changed':
      return {
        title: `Key of ${m.name(note.mapping)} changed`,
        effect:
          note.mode === 'upsert'
            ? `rows already loaded into ${m.name(note.table)} carry the old key (${m.text(note.before)}); the next run looks them up by the new one (${m.text(note.after)}), finds none and creates duplicates.`
            : `updates now find their ${m.name(note.table)} rows by ${m.text(note.after)} instead of ${m.text(note.before)}; rows updated before may be missed and other rows updated.`,
        action:
          'migrate the keys of the rows already loaded to the new form before the next run, or roll back the runs that loaded them first.',
      };
    case 'column-narrowed':
      // Microsoft Learn ("Column types in Microsoft Dataverse", training module create-manage-fields-
      // within-entity) says a text column's length can be changed after it is created, but not what
      // becomes of longer values already stored; the stricter reading is taken: they may not fit.
      return {
        title: `${m.name(`${note.table}.${note.column}`)} narrowed from ${note.before} to ${note.after} characters`,
        effect: `the existing column keeps its definition until an admin changes it, and values already loaded may be longer than ${note.after} characters; Dataverse is not documented to shorten them.`,
        action: `check the longest value loaded (or keep max_length ${note.before}); to narrow, create a new column and move the data, then change the mapping.`,
      };
    case 'behavior-changed':
      // Microsoft Learn, behavior-format-date-time-attribute ("Change the behavior of a DateTime
      // column"): a new behavior applies to values written after the change, existing values stay as
      // stored (in UTC) until converted with the ConvertDateAndTimeBehavior message, and a column set to
      // DateOnly or TimeZoneIndependent cannot be changed back.
      return {
        title: `${m.name(`${note.table}.${note.column}`)} changes behavior from ${m.text(note.before)} to ${m.text(note.after)}`,
        effect:
          "the new behavior applies only to values written after the admin changes it: values already loaded stay as stored (in UTC) and are no longer converted to the user's time zone, so their times (and dates near midnight) are off by the zone's offset; a column set to date_only or time_zone_independent cannot be changed back.",
        action:
          'after the admin changes the column, run every mapping that writes it in full, so loaded values are written again under the new behavior (to date_only, the ConvertDateAndTimeBehavior message converts them in place).',
      };
    case 'range-narrowed': {
      const bounds = note.bounds
        .map((b) => `${b.bound} ${b.before === undefined ? '(none)' : b.before} → ${b.after}`)
        .join(', ');
      return {
        title: `${m.name(`${note.table}.${note.column}`)} accepts a narrower range: ${bounds}`,
        effect:
          'values already loaded outside the new range stay as stored (Dataverse checks the range when a value is written, and is not documented to check stored ones); the next run that loads such a record writes the column empty, with a number_out_of_range_dropped flag.',
        action:
          'find loaded values outside the new range and correct them at the source, or keep the wider range.',
      };
    }
    case 'column-type-changed':
      // Microsoft Learn (same module): every column has exactly one data type, and the only change it
      // describes after creation is single line of text → autonumber.
      return {
        title: `${m.name(`${note.table}.${note.column}`)} changes type from ${m.text(note.before)} to ${m.text(note.after)}`,
        effect:
          'Dataverse does not change the type of an existing column (only text to autonumber is documented): the column already created keeps the old type and its loaded values, and writes of the new type fail.',
        action:
          'create a column under a new name with the new type and map to it, or delete the column (and its data) before the next run.',
      };
    case 'options-removed':
      return {
        title: `Choice options removed from ${m.name(`${note.table}.${note.column}`)}: ${optionList(m, note.options)}`,
        effect:
          'rows already loaded keep these values, which no longer have an option: they show as numbers without a label.',
        action:
          'map those rows to a remaining option and re-run the mapping, or keep the options until no row holds them.',
      };
    case 'options-renumbered':
      return {
        title: `Choice options renumbered on ${m.name(`${note.table}.${note.column}`)}: ${optionList(m, note.options)}`,
        effect:
          'rows already loaded hold the old numbers, which no longer match these options (or match other ones).',
        action:
          'pin the old numbers (a value on each option), or re-run every mapping that writes the column once the options are changed in Dataverse.',
      };
    case 'mapping-removed':
      return {
        title: `Mapping ${m.name(note.mapping)} removed`,
        effect: `rows it already loaded into ${m.name(note.table)} stay there; later runs neither update nor reconcile them.`,
        action: 'roll back its runs before merging, or delete those rows in Dynamics.',
      };
    case 'mapping-renamed':
      return {
        title: `Mapping ${m.name(note.before)} renamed ${m.name(note.after)}`,
        effect: `both read the same source into ${m.name(note.table)} with the same key (${m.name(note.key)}), so the next run of ${m.name(note.after)} finds the rows ${m.name(note.before)} loaded by their key and updates them; the journal keeps the earlier runs under ${m.name(note.before)}.`,
        action: `run ${m.name(note.after)} in full after merging; do not roll back the earlier runs of ${m.name(note.before)} after that, as it would remove rows ${m.name(note.after)} now keeps.`,
      };
    case 'field-retargeted':
      return {
        title: `${m.name(note.mapping)} writes ${m.name(note.after)} instead of ${m.name(note.before)}`,
        effect: `rows already loaded into ${m.name(note.table)} keep the value in ${m.name(note.before)} and get ${m.name(note.after)} only when they are loaded again; a delta run reloads only records changed since.`,
        action: `run the mapping in full after merging, and clear ${m.name(note.before)} if it must not keep the old values.`,
      };
    case 'where-changed':
      return {
        title: `${m.name(note.mapping)} loads only records where ${m.name(note.after)}${note.before ? ` (was: ${m.name(note.before)})` : ''}`,
        effect: `the rows already loaded into ${m.name(note.table)} for records the conditions now leave out stay there, and later runs neither update nor close them (policies.deleted_records is for records PracticeHub deletes).`,
        action: `before merging, find the rows of records now left out (\`flitstack log\` lists what the mapping loaded) and decide: delete them in Dynamics, or keep them as they are.`,
      };
    case 'value-map-retargeted': {
      const { where, what, shown } = mapWords(
        note,
        m,
        (e) => `: ${m.text(mapValueText(e.before))} → ${m.text(mapValueText(e.after))}`,
      );
      // runtime/run/prepare.ts: a row is left as it is only when its payload hash (the values written,
      // the state included) equals the one journaled when it was last written; a new option changes it.
      return {
        title: `Value map ${m.name(note.map)} of ${m.name(note.mapping)} gives ${plural(note.count, 'source value')} another ${what}${where}: ${shown}`,
        effect: `rows already loaded into ${m.name(note.table)} for records with ${note.count === 1 ? 'this value keep the old' : 'these values keep the old'} ${what} ${RELOADED}`,
        action: `run the mapping in full after merging, so that the rows already loaded get the new ${what}.`,
      };
    }
    case 'value-map-entries-removed': {
      const { where, what, shown } = mapWords(note, m, (e) => ` (was ${m.text(mapValueText(e.before))})`);
      const these = note.count === 1 ? 'this value' : 'these values';
      return {
        title: `Value map ${m.name(note.map)} of ${m.name(note.mapping)} no longer has an entry for ${plural(note.count, 'source value')}${where}: ${shown}`,
        ...unmatchedWords(
          note,
          m,
          `records with ${these}`,
          `the old ${what}`,
          note.unmatched.default === undefined
            ? 'keep the entry (or give the map a default)'
            : 'keep the entry',
        ),
      };
    }
    case 'value-map-default-changed': {
      const { where } = mapWords(note, m, () => '');
      const after = note.unmatched.default;
      const change =
        after === undefined
          ? `no longer has a default${where} (was ${m.text(note.before)})`
          : `changes its default${where}: ${m.text(note.before)} → ${m.text(after)}`;
      return {
        title: `Value map ${m.name(note.map)} of ${m.name(note.mapping)} ${change}`,
        ...(after === undefined
          ? unmatchedWords(
              note,
              m,
              'records whose value is not in the map',
              'the old default',
              'keep the default',
            )
          : {
              effect: `rows already loaded into ${m.name(note.table)} for records whose value is not in the map keep the old default ${RELOADED}`,
              action:
                'run the mapping in full after merging, so that the rows already loaded get the new default.',
            }),
      };
    }
    case 'lookup-optional':
      return {
        title: `Lookup ${m.name(note.column)} of ${m.name(note.mapping)} is no longer required`,
        effect:
          'rows whose parent is not found now load without it instead of being rejected, and a re-run can clear the parent of rows already loaded.',
        action:
          'keep required: true, or check that the referenced mapping has loaded every parent before the next run.',
      };
    case 'flag-blocking':
      return {
        title:
          note.flag === 'custom-tables'
            ? `Licensing flag now blocking: ${note.count}/${note.limit} custom tables`
            : `Licensing flag now blocking: ${note.count}/${note.limit} custom columns on ${m.name(note.table ?? '')}`,
        effect: 'the next load does not start until the flag is resolved.',
        action:
          'license Sales Enterprise, move columns to a custom table, or acknowledge the flag in migration.yaml with a reason.',
      };
    default:
      return assertNever(note);
  }
}

/** Counts a reviewer reads first. */
export interface DiffSummary {
  readonly mappingsAdded: readonly string[];
  readonly mappingsRemoved: readonly string[];
  readonly mappingsChanged: readonly string[];
  readonly columnsToCreate: number;
  readonly columnsRemoved: number;
  readonly columnsChanged: number;
  readonly tablesToCreate: readonly string[];
  readonly tablesRemoved: readonly string[];
  readonly tablesChanged: readonly string[];
  readonly risks: number;
}

const tablesWith = (diff: MappingDiff, status: 'added' | 'removed' | 'changed'): string[] =>
  diff.schema.tables.filter((t) => t.customTable?.status === status).map((t) => t.table);

/** The summary of a diff. */
export function summarize(diff: MappingDiff): DiffSummary {
  const columns = diff.schema.tables.flatMap((t) => t.columns);
  return {
    mappingsAdded: diff.mappings.filter((m) => !m.before).map((m) => m.mapping),
    mappingsRemoved: diff.mappings.filter((m) => !m.after).map((m) => m.mapping),
    mappingsChanged: diff.mappings.filter((m) => m.before && m.after).map((m) => m.mapping),
    columnsToCreate: columns.filter((c) => c.status === 'added').length,
    columnsRemoved: columns.filter((c) => c.status === 'removed').length,
    columnsChanged: columns.filter((c) => c.status === 'changed').length,
    tablesToCreate: tablesWith(diff, 'added'),
    tablesRemoved: tablesWith(diff, 'removed'),
    tablesChanged: tablesWith(diff, 'changed'),
    risks: diff.risks.length,
  };
}
