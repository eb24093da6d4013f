import { createHash } from 'node:crypto';
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

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * A group's value as one path segment, unique per value: a value the cleaning keeps as it is, in lower
 * case, is its own name; any other gets `~` and a hash of the value itself. Without the hash "AB/12" and
 * "AB 12" both clean to "AB_12", a value over the length limit loses its end, and "AB12" and "ab12" name
 * one file on macOS and Windows. The cleaning never writes `~`, so no value's own name ends like another's.
 */
export function archiveSegment(value: string): string {
  const cleaned = safeName(value);
  return cleaned === value && value === value.toLowerCase() ? cleaned : `${cleaned}~${shortHash(value)}`;
}

/**
 * A file name with a version of its contents before its extension ("staff-42.csv" becomes
 * "staff-42.1a2b3c4d.csv"). A written version is never overwritten by other contents, so the link a row
 * held before a run still opens the log it had then, and a rollback that puts the link back restores the log.
 */
function versioned(name: string, contents: string): string {
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  const dot = name.lastIndexOf('.');
  const version = shortHash(contents);
  return dot > slash + 1 ? `${name.slice(0, dot)}.${version}${name.slice(dot)}` : `${name}.${version}`;
}

/**
 * Writes a group's records as CSV to the archive (e.g. a staff member's full training log) and returns
 * the URL the row links to. The file name comes from the mapping's archive template; every placeholder
 * value is made path-safe and stays unique per value (archiveSegment), so a record cannot write outside
 * the archive directory nor over another group's file; the name carries a version of the contents.
 */
export function writeArchive(
  archive: NonNullable<MappingDefinition['archive']>,
  target: { readonly dir: string; readonly baseUrl: string },
  records: readonly SourceRecord[],
): string {
  const first = records[0] ?? {};
  const header = archive.columns.map((c) => csvField(c.join('.'))).join(',');
  const lines = records.map((r) => archive.columns.map((c) => csvField(at(r, c))).join(','));
  const contents = `${[header, ...lines].join('\r\n')}\r\n`;
  const name = archive.name
    .map((p) => ('text' in p ? p.text : archiveSegment(templateValue(at(first, p.path)))))
    .join('');
  const relative = versioned(normalize(name).replace(/^(\.\.(\/|\\|$))+/, ''), contents);
  const path = join(target.dir, relative);
  // Archives hold records (training logs, documents): directories made here and files for their owner only.
  makeDirectory(dirname(path), 0o700);
  writePrivate(path, contents);
  return `${target.baseUrl.replace(/\/$/, '')}/${relative.split(/[\\/]/).map(encodeURIComponent).join('/')}`;
}
