import { isMap, parseDocument } from 'yaml';
import {
  appendFlowItems,
  appendItem,
  applySplices,
  blockItemText,
  flowText,
  type Splice,
  scalarText,
  seqAt,
} from '../audit/yaml-text.ts';
import type { FieldDrafts } from './drafts.ts';
import type { DraftedMap, DraftLine } from './match.ts';
import type { ObjectDraft } from './objects.ts';

const OBJECT_SCHEMA = '# yaml-language-server: $schema=../../schemas/object.schema.json';
const VALUEMAP_SCHEMA = '# yaml-language-server: $schema=../../schemas/valuemap.schema.json';

function proposal(l: DraftLine): Record<string, unknown> {
  return { ...l.line, proposed: { reason: l.reason, confidence: l.confidence } };
}

/** Comments on drafted lines, by line: the analyst decides about them (a licence limit they cross). */
export type Marks = ReadonlyMap<DraftLine, string>;

/** An item's text with its mark as a comment on its last line (its `proposed:` or `note:`). */
function item(l: DraftLine, text: string, marks: Marks): string {
  const mark = marks.get(l);
  return mark ? `${text}  # ${mark.replace(/\s+/g, ' ')}` : text;
}

/**
 * An existing mapping file with drafted lines appended to `fields`, each with its `proposed:` block.
 * The Document API finds the sequence; the lines are spliced in after its last item, so every line of
 * the file stays as it was: as block items in a block list, as flow items in a flow list (`[ ... ]`).
 */
export function withDraftedLines(text: string, drafts: FieldDrafts, marks: Marks = new Map()): string {
  if (drafts.lines.length === 0) return text;
  const doc = parseDocument(text);
  const fields = seqAt(doc.contents, ['fields']);
  if (fields && !fields.flow && fields.items.length > 0) {
    const splices: Splice[] = drafts.lines.map((l) => {
      const splice = appendItem(text, fields, proposal(l));
      return { ...splice, insert: item(l, splice.insert, marks) };
    });
    return applySplices(text, splices);
  }
  if (fields?.flow) {
    const items = drafts.lines.map((l) => {
      const mark = marks.get(l);
      return { text: flowText(proposal(l)), ...(mark ? { comment: mark.replace(/\s+/g, ' ') } : {}) };
    });
    return applySplices(text, [appendFlowItems(text, fields, items)]);
  }
  if (isMap(doc.contents) && doc.contents.has('fields')) {
    throw new Error(`${drafts.file}: fields is not a list; add the drafted lines by hand`);
  }
  const items = drafts.lines.map((l) => item(l, blockItemText(proposal(l), '  '), marks)).join('\n');
  return `${text.replace(/\n*$/, '\n')}fields:\n${items}\n`;
}

/** The text of a new mapping file: one `proposed:` block for the whole file, a note on each line. */
export function objectFileText(d: ObjectDraft, marks: Marks = new Map()): string {
  const top = (key: string, value: unknown) => `${key}: ${flowText(value)}`;
  const lines = [
    OBJECT_SCHEMA,
    'version: 1',
    top(
      'description',
      `PracticeHub ${d.resource} → ${d.table}, drafted by flitstack propose. Review every line.`,
    ),
    top('proposed', { reason: d.reason, confidence: d.confidence }),
    top('source', d.resource),
    top('target', d.table),
    ...Object.entries(d.head).map(([k, v]) => top(k, v)),
    'fields:',
    ...d.lines.map((l) =>
      item(l, blockItemText({ ...l.line, note: `${l.reason} (confidence ${l.confidence})` }, '  '), marks),
    ),
    ...Object.entries(d.tail).map(([k, v]) => top(k, v)),
  ];
  return `${lines.join('\n')}\n`;
}

/** The text of a drafted value map. */
export function valueMapText(m: DraftedMap): string {
  return `${[
    VALUEMAP_SCHEMA,
    'version: 1',
    `description: ${scalarText(m.description)}`,
    'kind: choice',
    'entries:',
    ...Object.entries(m.entries).map(([k, v]) => `  ${scalarText(k)}: ${scalarText(v)}`),
    ...(m.default !== undefined ? [`default: ${scalarText(m.default)}`] : []),
  ].join('\n')}\n`;
}
