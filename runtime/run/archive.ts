import { dirname, join, normalize } from 'node:path';
import type { MappingDefinition } from '../mapping/index.ts';
import { at, type SourceRecord } from '../mapping/index.ts';
import { makeDirectory } from '../shared/paths.ts';
import { writePrivate } from '../shared/private-file.ts';
import { templateValue } from '../transforms/index.ts';
import { safeName } from './documents.ts';

/** A CSV field: quoted when it holds a comma, quote or line break; formulas neutralised (OWASP CSV injection). */
function csvField(value: unknown): string {
  let text = templateValue(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Writes a group's records as CSV to the archive (e.g. a staff member's full training log) and returns
 * the URL the row links to. The file name comes from the mapping's archive template; every placeholder
 * value is made path-safe, so a record cannot write outside the archive directory.
 */
export function writeArchive(
  archive: NonNullable<MappingDefinition['archive']>,
  target: { readonly dir: string; readonly baseUrl: string },
  records: readonly SourceRecord[],
): string {
  const first = records[0] ?? {};
  const name = archive.name
    .map((p) => ('text' in p ? p.text : safeName(templateValue(at(first, p.path)))))
    .join('');
  const relative = normalize(name).replace(/^(\.\.(\/|\\|$))+/, '');
  const header = archive.columns.map((c) => csvField(c.join('.'))).join(',');
  const lines = records.map((r) => archive.columns.map((c) => csvField(at(r, c))).join(','));
  const path = join(target.dir, relative);
  // Archives hold records (training logs, documents): directories made here and files for their owner only.
  makeDirectory(dirname(path), 0o700);
  writePrivate(path, `${[header, ...lines].join('\r\n')}\r\n`);
  return `${target.baseUrl.replace(/\/$/, '')}/${relative.split(/[\\/]/).map(encodeURIComponent).join('/')}`;
}
