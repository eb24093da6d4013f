import { describe, expect, it } from 'vitest';
import { parse, parseDocument, type YAMLMap } from 'yaml';
import { auditMarkdown, md, phiByName } from '../../runtime/audit/index.ts';
import type { AuditReport } from '../../runtime/audit/report.ts';
import { markEntry } from '../../runtime/audit/write-target.ts';
import {
  appendItem,
  applySplices,
  flowText,
  mapAt,
  mapEdits,
  scalarText,
  seqAt,
} from '../../runtime/audit/yaml-text.ts';

const TEXT = `# header comment
a: 1
fields:
  one: { type: id, description: "The id." }
  two:
    {
      type: date,
      nullable: true,
    }
  block:
    type: string
    label: Block
items:
  - { to: x, from: y }
  - to: z
    from: w
tail: end # trailing
`;

function edit(change: (text: string, root: YAMLMap) => ReturnType<typeof mapEdits>): string {
  const doc = parseDocument(TEXT);
  return applySplices(TEXT, change(TEXT, doc.contents as YAMLMap));
}

describe('YAML text edits', () => {
  it('writes scalars plain when that is safe and quoted otherwise', () => {
    expect(scalarText('Mobile Phone')).toBe('Mobile Phone');
    expect(scalarText('yes')).toBe('"yes"');
    expect(scalarText('a: b')).toBe('"a: b"');
    expect(scalarText('x, y')).toBe('"x, y"');
    expect(scalarText('# not a comment')).toBe('"# not a comment"');
    expect(scalarText('12')).toBe('"12"');
    expect(flowText({ type: 'enum', values: ['a', 'b c'], size: 3, ok: true, y: 1 })).toBe(
      '{ type: enum, values: [a, b c], size: 3, ok: true, "y": 1 }',
    );
    expect(parse(`k: ${flowText({ s: 'line\nbreak "q"', t: '}{' })}`)).toEqual({
      k: { s: 'line\nbreak "q"', t: '}{' },
    });
  });

  it('adds, replaces and removes entries of flow and block maps, leaving other lines alone', () => {
    const out = edit((text, root) => [
      ...mapEdits(text, mapAt(root, ['fields', 'one'])!, [
        { key: 'description', value: undefined },
        { key: 'max_length', value: '20' },
      ]),
      ...mapEdits(text, mapAt(root, ['fields', 'two'])!, [
        { key: 'phi', value: 'true' },
        { key: 'label', value: 'Born' },
      ]),
      ...mapEdits(text, mapAt(root, ['fields', 'block'])!, [
        { key: 'label', value: 'Changed' },
        { key: 'phi', value: 'true' },
      ]),
      ...mapEdits(text, mapAt(root, ['fields'])!, [{ key: 'three', value: '{ type: string }' }]),
    ]);
    expect(out).toContain('  one: { type: id, max_length: 20 }\n');
    expect(out).toContain('      nullable: true,\n      phi: true,\n      label: Born,\n    }\n');
    expect(out).toContain('    label: Changed\n    phi: true\n  three: { type: string }\nitems:');
    expect(out.startsWith('# header comment\na: 1\n')).toBe(true);
    expect(out.endsWith('tail: end # trailing\n')).toBe(true);
    expect(parse(out).fields.two).toEqual({ type: 'date', nullable: true, phi: true, label: 'Born' });
  });

  it('appends sequence items in the block style of the file, and notes above entries once', () => {
    const doc = parseDocument(TEXT);
    const root = doc.contents as YAMLMap;
    const added = applySplices(TEXT, [
      appendItem(TEXT, seqAt(root, ['items'])!, { to: 'v', transform: ['trim'] }),
    ]);
    expect(added).toContain('    from: w\n  - to: v\n    transform: [trim]\ntail:');
    const noted = applySplices(TEXT, markEntry(TEXT, mapAt(root, ['fields']), 'two', 'seen\nnever', 'seen'));
    expect(noted).toContain('  # seen never\n  two:\n');
    const again = parseDocument(noted);
    const twice = applySplices(
      noted,
      markEntry(noted, mapAt(again.contents, ['fields']), 'two', 'seen again', 'seen'),
    );
    expect(twice.match(/# seen/g)).toHaveLength(1);
    expect(twice).toContain('  # seen again\n  two:\n');
  });
});

describe('audit.md', () => {
  it('escapes Markdown and HTML in anything that came from the API', () => {
    expect(md('a|b <script>*x*_y_ [l](u)\n# h')).toBe(
      'a\\|b &lt;script&gt;\\*x\\*\\_y\\_ \\[l\\]\\(u\\) \\# h',
    );
    const report = {
      version: 1,
      audited_at: '2026-11-20T10:00:00.000Z',
      source: {
        system: 'practicehub',
        account: 'demo',
        region: 'eu',
        base_url: 'http://x/api',
        requests_per_second: 1,
        page_size: 100,
        sample_pages: 1,
        projection: 'unknown',
      },
      resources: [
        {
          resource: 'things',
          in_model: false,
          served: true,
          total: 3,
          pages_sampled: 1,
          sampled: 3,
          fields: [
            {
              name: 'kind|<b>',
              path: 'kind|<b>',
              type: 'enum',
              kinds: { string: 3 },
              present: 3,
              filled: 3,
              fill_rate: 1,
              values: ['a|b', '`x`', 'no_show'],
              phi: false,
              in_model: false,
            },
          ],
        },
      ],
      diff: {
        new_resources: [{ resource: 'things', total: 3 }],
        missing_resources: [],
        new_fields: [],
        unseen_fields: [],
        type_changes: [],
        new_values: [],
      },
      estimate: { unavailable: 'no <spec>' },
      requests: { made: 2, minimum: 2, probes: 0, throttled: 0, retried: 0, seconds: 1 },
    } as unknown as AuditReport;
    const text = auditMarkdown(report);
    // Values as code spans, shown as they are: no backslash escapes inside, fences longer than a value's backticks.
    expect(text).toContain(
      '| kind\\|&lt;b&gt; | enum | (new) | 100 % |  | `a\\|b`, `` `x` ``, `no_show` |  |',
    );
    expect(text).toContain('No estimate: no &lt;spec&gt;');
    expect(text).not.toContain('<b>');
  });

  it('flags new fields by name as PHI: names, birth dates, emails, phones, addresses, notes, sex or gender', () => {
    const phi = [
      'first_name',
      'Surname',
      'dob',
      'email',
      'phone_work',
      'postcode',
      'address_line_2',
      'notes',
      'nhs_number',
      'guardian_name',
      'emergencyContactName',
      'gender',
      'sex_at_birth',
    ];
    for (const name of phi) expect(phiByName(name), name).toBeDefined();
    for (const name of ['status', 'amount', 'clinic_id', 'created_at', 'code', 'name', 'sessions'])
      expect(phiByName(name), name).toBeUndefined();
  });
});
