import type { FieldSummary } from './infer.ts';
import type { AuditReport, RunEstimate } from './report.ts';
import type { TargetAudit } from './target.ts';
import { oneLine } from './yaml-text.ts';

/**
 * Escapes text for Markdown: every character Markdown (or HTML inside it) could read as syntax is
 * backslash-escaped or entity-encoded, and line breaks become spaces, so a field name or value from
 * the API can neither break a table nor inject markup.
 */
export function md(text: string | number | boolean): string {
  return oneLine(String(text))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+\-.!|~])/g, '\\$1');
}

/**
 * Text as a Markdown code span inside a table cell: shown exactly as it is (a code span neither reads
 * backslash escapes nor markup), fenced by more backticks than the text's longest run of them (with a
 * space inside when it starts or ends with one), pipes escaped so the table keeps its columns (GFM reads
 * `\|` in a cell as a pipe, in code spans too), line breaks folded.
 */
export function code(text: string | number | boolean): string {
  const t = oneLine(String(text)).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

const n = (x: number) => x.toLocaleString('en-GB');

/** Seconds as `1 h 02 min`, `3 min 20 s` or `4.2 s`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(rest).padStart(2, '0')} s`;
}

function bytes(b: number): string {
  if (b < 1024) return `${b} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = b / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${Math.round(v * 10) / 10} ${units[u]}`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return ['(none)', ''];
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
}

function estimateSection(e: RunEstimate): string[] {
  const s = e.source;
  const pages = s.lists.reduce((x, l) => x + l.pages, 0);
  const files = s.downloads.reduce((x, d) => x + d.count, 0);
  const methods = new Map<string, number>();
  for (const p of e.load.passes) methods.set(p.method, (methods.get(p.method) ?? 0) + p.requests);
  return [
    '## Estimate of a full run',
    '',
    ...table(
      ['measure', 'estimate'],
      [
        [
          'PracticeHub requests',
          `${n(s.requests)} (${n(pages)} pages, ${n(s.probes)} probes, ${n(files)} file downloads)`,
        ],
        [
          `PracticeHub time at ${md(s.requests_per_second)} request/s`,
          `${duration(s.seconds)} (one request every ${Math.round((1000 * (1 + s.pace_margin)) / s.requests_per_second)} ms, answers in ${Math.round(s.latency_seconds * 1000)} ms)`,
        ],
        [
          'Dataverse requests',
          `${n(e.load.requests)} (${[...methods].map(([m, c]) => `${md(m)} ${n(c)}`).join(', ')}, ${n(e.load.reads.requests - e.load.reads.metadata)} GET, ${n(e.load.reads.metadata)} metadata reads); ${n(e.load.operations)} record operations`,
        ],
        ['Dataverse minimum under service protection', duration(e.load.min_seconds)],
        ['Wall time', `**${duration(e.wall_seconds)}**`],
      ],
    ),
    '### PracticeHub lists',
    '',
    ...table(
      ['resource', 'records', 'pages', 'why'],
      s.lists.map((l) => [md(l.resource), n(l.total), n(l.pages), md(l.why)]),
    ),
    '### PracticeHub file downloads',
    '',
    ...table(
      ['mapping', 'file field', 'files', 'how counted'],
      s.downloads.map((d) => [md(d.mapping), md(`${d.resource}.${d.field}`), n(d.count), md(d.basis)]),
    ),
    '### Dataverse writes',
    '',
    ...table(
      ['mapping', 'table', 'pass', 'rows', 'method', 'requests'],
      e.load.passes.map((p) => [md(p.mapping), md(p.table), p.pass, n(p.rows), md(p.method), n(p.requests)]),
    ),
    '### Dataverse reads',
    '',
    ...table(
      ['read', 'requests'],
      [
        ['metadata: the schema check, and the Read privileges of owned tables', n(e.load.reads.metadata)],
        ...e.load.reads.gets.map((g) => [md(g.what), n(g.requests)]),
      ],
    ),
  ];
}

function diffSection(r: AuditReport): string[] {
  const d = r.diff;
  const out = ['## Differences from the source model', ''];
  const rows: string[][] = [
    ...d.new_resources.map((x) => ['new resource', md(x.resource), `${n(x.total)} records`]),
    ...d.missing_resources.map((x) => ['resource not served', md(x.resource), 'the API answered 404']),
    ...d.new_fields.map((x) => [
      'new field',
      md(`${x.resource}.${x.path}`),
      `${x.type}, filled ${Math.round(x.fill_rate * 100)} %${x.phi ? ', PHI by its name' : ''}`,
    ]),
    ...d.unseen_fields.map((x) => [
      'field never seen',
      md(`${x.resource}.${x.path}`),
      'absent from every sampled record',
    ]),
    ...d.type_changes.map((x) => [
      'type changed',
      md(`${x.resource}.${x.path}`),
      `model ${x.model}, seen ${x.seen}`,
    ]),
    ...d.new_values.map((x) => [
      'values not listed',
      md(`${x.resource}.${x.path}`),
      x.values ? x.values.map((v) => code(v)).join(', ') : `${x.count} (PHI: not shown)`,
    ]),
  ];
  if (rows.length === 0) return [...out, 'The live source matches the model.', ''];
  return [...out, ...table(['finding', 'where', 'detail'], rows)];
}

/**
 * Every field the Fields table shows, nested ones (`custom_properties.x`, `visits[].y`) included, so
 * that the Resources table counts the same rows the Fields table lists.
 */
function flatFields(fields: readonly FieldSummary[]): FieldSummary[] {
  return fields.flatMap((f) => [f, ...flatFields(f.fields ?? []), ...flatFields(f.items?.fields ?? [])]);
}

function fieldRows(fields: readonly FieldSummary[]): string[][] {
  return flatFields(fields).map((f) => {
    const values = f.values ? f.values.map((v) => code(v)).join(', ') : f.phi && f.distinct ? '(PHI)' : '';
    return [
      md(f.path),
      f.type,
      f.model_type ?? '(new)',
      `${Math.round(f.fill_rate * 1000) / 10} %`,
      f.max_length !== undefined ? String(f.max_length) : '',
      values,
      f.phi ? (f.phi_source === 'name' ? `yes (${md(f.phi_reason ?? 'name')})` : 'yes') : '',
    ];
  });
}

function targetSection(t: TargetAudit): string[] {
  const rows = t.tables.map((x) => [
    md(x.table),
    x.found ? 'yes' : 'no',
    x.changed.map((c) => `${md(c.column)} (${c.changes.map((k) => k.key).join(', ')})`).join('; '),
    x.missing.map(md).join(', '),
    x.added.map((a) => md(a.column)).join(', '),
  ]);
  const plan = [
    ...t.plan.tables.map((x) => [md(x.table), 'custom table', x.exists ? 'exists' : 'to create']),
    ...t.plan.columns.map((c) => [
      md(`${c.table}.${c.column}`),
      `custom ${c.declared}`,
      c.exists ? (c.org && c.org !== c.declared ? `exists as ${c.org}` : 'exists') : 'to create',
    ]),
    ...t.plan.keys.map((k) => [
      md(`${k.table}.${k.column}`),
      'alternate key',
      k.status ? md(k.status) : 'to create',
    ]),
  ];
  return [
    `## Target organisation (${md(t.organization_id)})`,
    '',
    ...table(['table', 'found', 'changed columns', 'missing columns', 'added columns'], rows),
    '### Schema plan in the organisation',
    '',
    ...table(['item', 'kind', 'state'], plan),
  ];
}

/** audit.md: the report for people. Every value from the API or the organisation is escaped. */
export function auditMarkdown(r: AuditReport): string {
  const served = r.resources.filter((x) => x.served);
  const records = served.reduce((x, y) => x + y.total, 0);
  const lines = [
    `# PracticeHub audit: account ${md(r.source.account)} (${md(r.source.region)})`,
    '',
    `Audited ${md(r.audited_at)}: ${served.length} resources, ${n(records)} records. Sampled the first ${r.source.sample_pages} page(s) of each resource.`,
    `API ${md(r.source.base_url)}, ${md(r.source.requests_per_second)} request/s, page size ${r.source.page_size}; \`fields=\` projection: ${r.source.projection}.`,
    `The audit made ${n(r.requests.made)} requests (at least ${n(r.requests.minimum)} needed; ${n(r.requests.throttled)} throttled, ${n(r.requests.retried)} retried) in ${duration(r.requests.seconds)}.`,
    '',
    ...('unavailable' in r.estimate
      ? ['## Estimate of a full run', '', `No estimate: ${md(r.estimate.unavailable)}`, '']
      : estimateSection(r.estimate)),
    ...diffSection(r),
    '## Resources',
    '',
    ...table(
      ['resource', 'in model', 'records', 'sampled', 'fields', 'PHI fields', 'files'],
      served.map((x) => [
        md(x.resource),
        x.in_model ? 'yes' : '**no**',
        n(x.total),
        n(x.sampled),
        String(flatFields(x.fields).filter((f) => f.present > 0).length),
        String(flatFields(x.fields).filter((f) => f.phi).length),
        x.binary ? `≈ ${bytes(x.binary.estimated_bytes)} (mean ${bytes(x.binary.mean_bytes)})` : '',
      ]),
    ),
    '## Fields',
    '',
    `Types, fill rates, longest values and enumeration values come from the sampled pages (the first ${r.source.sample_pages} page(s) of each resource), not from every record: where a resource has more records than were sampled, its longest values may be longer.`,
    'Values are listed for enumerations only, never for PHI fields.',
    '',
    ...served.flatMap((x) => [
      `### ${md(x.resource)}`,
      '',
      ...table(
        ['field', 'seen', 'model', 'filled in sample', 'longest in sample', 'values', 'PHI'],
        fieldRows(x.fields),
      ),
    ]),
    ...(r.target ? targetSection(r.target) : []),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
