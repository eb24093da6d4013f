import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { markdownText } from '../../compiler/emit/plan/schema-plan.ts';
import { installRoot } from '../../compiler/root.ts';
import type { SampleView } from './view.ts';

const template = (name: string) => readFileSync(join(installRoot(), 'runtime', 'sample', name), 'utf8');

/**
 * sample.html: one self-contained page (no script, no request: its Content-Security-Policy allows
 * neither). Every value is escaped by Handlebars; the filter to show only differences is a checkbox
 * and a CSS rule, so it works offline and with scripts disabled.
 */
export function sampleHtml(view: SampleView, source = template('sample.html.hbs')): string {
  const hbs = Handlebars.create();
  return hbs.compile(source, { strict: true })(view);
}

/** sample.md: the summary, why each record is there, and every difference with its values. */
export function sampleMarkdown(view: SampleView, source = template('sample.md.hbs')): string {
  const hbs = Handlebars.create();
  hbs.registerHelper('md', (value: unknown) => markdownText(value));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  return hbs.compile(source, { strict: true, noEscape: true })(view);
}
