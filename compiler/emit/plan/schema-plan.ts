import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { assertNever } from '../../assert.ts';
import type { Ir, IrPlanColumn } from '../../ir/types.ts';
import { installRoot } from '../../root.ts';

/** Markdown text from spec strings: one line, HTML and Markdown syntax escaped. */
export function markdownText(text: unknown): string {
  return (
    String(text ?? '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
      .replace(/([\\`*_[\]|~])/g, '\\$1')
  );
}

/** Text inside an HTML comment: one line, and no `>` that could close it (`-->`), nor `<`. */
function htmlCommentText(text: unknown): string {
  return (
    String(text ?? '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))
  );
}

/** `, min to max` when the spec narrows a decimal or currency column's range. */
const rangeWords = (c: IrPlanColumn) =>
  c.min !== undefined || c.max !== undefined ? `, ${c.min ?? 'min'} to ${c.max ?? 'max'}` : '';

function typeWords(c: IrPlanColumn): string {
  switch (c.type) {
    case 'string':
      return `Single line of text (${c.maxLength} characters${c.format && c.format !== 'text' ? `, format ${c.format}` : ''})`;
    case 'memo':
      return `Multiple lines of text (${c.maxLength?.toLocaleString('en-GB')} characters)`;
    case 'integer':
      return `Whole number${c.min !== undefined || c.max !== undefined ? ` (${c.min ?? 'min'} to ${c.max ?? 'max'})` : ''}`;
    case 'decimal':
      return `Decimal (precision ${c.precision ?? 2}${rangeWords(c)})`;
    case 'money':
      return `Currency (precision ${c.precision ?? 2}${rangeWords(c)})`;
    case 'boolean':
      return `Two options (${markdownText(c.trueLabel)} / ${markdownText(c.falseLabel)})`;
    case 'date':
      return 'Date only (behaviour: date only)';
    case 'datetime':
      return `Date and time (behaviour: ${c.behavior === 'time_zone_independent' ? 'time zone independent' : 'user local'})`;
    case 'choice':
      return 'Choice';
    case 'multi_choice':
      return 'Choices (multi-select)';
    case 'lookup':
      return `Lookup to ${c.target}`;
    default:
      return assertNever(c.type);
  }
}

/** Logical names as inline code, comma-separated (names match the schemas' identifier pattern). */
const codes = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');

/** The template, found from the installation root (so it is found from the bundle in dist/ too). */
const template = () => join(installRoot(), 'compiler', 'emit', 'plan', 'schema-plan.md.hbs');

/** generated/schema-plan.md: the admin's checklist, rendered with Handlebars (strict) from the IR. */
export function emitSchemaPlanMarkdown(
  ir: Ir,
  sources: string,
  source = readFileSync(template(), 'utf8'),
): string {
  const hbs = Handlebars.create();
  hbs.registerHelper('md', (value: unknown) => markdownText(value));
  hbs.registerHelper('comment', (value: unknown) => htmlCommentText(value));
  const render = hbs.compile(source, { strict: true, noEscape: true });
  const plan = ir.plan;
  const professional = plan.license === 'professional';
  const customTables = plan.tables.filter((t) => t.custom);
  const view = {
    sources,
    name: ir.migration.name,
    licence: professional ? 'Sales Professional' : 'Sales Enterprise',
    prefix: plan.publisher.prefix,
    optionRange: `${plan.publisher.optionValuePrefix * 10000} to ${plan.publisher.optionValuePrefix * 10000 + 9999}`,
    solution: plan.publisher.solution ?? '',
    flags: plan.flags.map((f) => ({
      blocking: f.blocking,
      subject: f.kind === 'custom-tables' ? 'custom tables' : `custom columns on ${f.table}`,
      count: f.count,
      origins:
        f.fromOrganisation.length > 0
          ? `${f.fromSpec} from the spec and ${f.fromOrganisation.length} the organisation has already: ${codes(f.fromOrganisation)}`
          : '',
      limit: f.limit,
      rule: f.rule,
      acknowledged: f.acknowledged ?? '',
      resolutions: f.resolutions,
    })),
    limits: professional
      ? [
          `Custom tables: ${customTables.length + plan.orgCustomTables.length}/15 on Sales Professional (licensing guide, Appendix D)${
            plan.orgCustomTables.length > 0
              ? `: ${customTables.length} in this plan and ${plan.orgCustomTables.length} the organisation has already (${codes(plan.orgCustomTables)})`
              : ''
          }.`,
        ]
      : ['Sales Enterprise: no limit on custom tables or columns per table.'],
    customTables: customTables.map((t) => ({
      name: t.name,
      entitySet: t.custom!.entitySet,
      label: t.custom!.label,
      pluralLabel: t.custom!.pluralLabel,
      ownership: t.custom!.ownership,
      hasNotes: t.custom!.hasNotes,
      primaryLabel: t.custom!.primaryName.label,
      primaryName: t.custom!.primaryName.name,
      primaryLength: t.custom!.primaryName.maxLength,
      description: t.custom!.description ?? '',
    })),
    tables: plan.tables.map((t) => ({
      name: t.name,
      label: t.custom?.label,
      count: t.customColumnCount - t.orgCustomColumns.length,
      single: t.customColumnCount - t.orgCustomColumns.length === 1,
      total: t.customColumnCount,
      orgCount: t.orgCustomColumns.length,
      orgColumns: codes(t.orgCustomColumns),
      professional,
      limit: 15,
      columns: t.columns.map((c) => ({
        name: c.name,
        label: c.label,
        schemaName: c.schemaName,
        schemaDiffers: c.schemaName !== c.name,
        type: typeWords(c),
        required: c.required,
        description: c.description ?? '',
        options: c.options,
      })),
      keys: t.keys.map((k) => ({
        name: k.name,
        label: k.label,
        columns: k.columns.map((c) => `\`${c}\``).join(', '),
      })),
    })),
    roles: plan.connectionRoles.map((r) => ({
      name: r.name,
      usedBy: r.usedBy.map((u) => `\`${u}\``).join(', '),
    })),
    privileges: plan.privileges.map((p) => ({
      name: p.name,
      why: p.why,
      tables: p.tables.map((t) => `\`${t}\``).join(', '),
    })),
    fallbackOwner: plan.fallbackOwner
      ? {
          email: plan.fallbackOwner.email,
          tables: plan.fallbackOwner.tables.map((t) => `\`${t}\``).join(', '),
        }
      : false,
    loadOrder: plan.loadOrder.map((step, i) => ({
      index: i + 1,
      mapping: step.mapping,
      table: step.table,
      dependsOn: step.dependsOn.map((d) => `\`${d}\``).join(', '),
      deferred: step.deferred.map((d) => `\`${d}\``).join(', '),
    })),
  };
  return render(view);
}

/** generated/schema-plan.json: the same plan as data, which `schema apply` creates through the metadata API. */
export function emitSchemaPlanJson(ir: Ir, sources: string): string {
  return `${JSON.stringify({ generatedBy: `flitstack from ${sources}; do not edit`, ...ir.plan }, null, 2)}\n`;
}
