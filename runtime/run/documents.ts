import { join } from 'node:path';
import type { PracticeHubClient, PracticeHubRecord } from '../practicehub/index.ts';
import { makeDirectory } from '../shared/paths.ts';
import type { PreparedRow } from './state.ts';

/** A file name that is safe as one path segment of the archive. */
export function safeName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '_');
  return cleaned.slice(0, 120) || 'file';
}

/** A note's text with the link to its file in the archive appended (a file over the attachment limit). */
export function withArchiveLink(text: string, size: number, url: string): string {
  return `${text}${text ? '\n\n' : ''}Archived file (${size} bytes, over the attachment limit): ${url}`;
}

/** What `withArchiveLink` appends, as Dataverse holds it after the note's own text. */
export const ARCHIVE_LINK = /^(\n\n)?Archived file \(\d+ bytes, over the attachment limit\): \S+$/;

/**
 * Attaches files to note rows: a file whose Base64 form fits the organisation's attachment limit is
 * uploaded in the note (documentbody; the limit applies to the Base64 size, reference §1.4); a larger
 * one is written to the archive directory and the note links to its archive URL (flagged).
 */
export class Attachments {
  private files: Map<string, PracticeHubRecord> | undefined;

  constructor(
    private readonly practicehub: PracticeHubClient,
    private readonly archive: { readonly dir: string; readonly baseUrl: string } | undefined,
    private readonly maxUploadBytes: number,
  ) {}

  /** The file records, listed once when the first document is needed (download links expire). */
  private async fileRecords(): Promise<Map<string, PracticeHubRecord>> {
    if (!this.files) {
      const files = new Map<string, PracticeHubRecord>();
      for await (const page of this.practicehub.pages('files'))
        for (const f of page.records) files.set(String(f.id), f);
      this.files = files;
    }
    return this.files;
  }

  /**
   * The rows in consecutive groups whose attachments (Base64 bytes uploaded in the request) stay under
   * `maxBytes`, so a batch of notes never holds more than that many file bytes in memory at once; a
   * group holds at least one row. Rows without a document, or with one that will be archived, weigh
   * nothing.
   */
  async groups(rows: readonly PreparedRow[], maxBytes: number): Promise<PreparedRow[][]> {
    if (!rows.some((r) => r.document)) return [rows.slice()];
    const files = await this.fileRecords();
    const out: PreparedRow[][] = [[]];
    let bytes = 0;
    for (const row of rows) {
      const size = row.document ? Number(files.get(row.document.fileId)?.size ?? 0) : 0;
      const uploaded = Math.ceil(size / 3) * 4;
      const weight = uploaded <= this.maxUploadBytes ? uploaded : 0;
      if (bytes + weight > maxBytes && out.at(-1)!.length > 0) {
        out.push([]);
        bytes = 0;
      }
      out.at(-1)!.push(row);
      bytes += weight;
    }
    return out;
  }

  /** Adds the attachment (or archive link) to each row's body; returns the rows that failed, with why. */
  async attach(rows: readonly PreparedRow[]): Promise<Map<PreparedRow, unknown>> {
    const errors = new Map<PreparedRow, unknown>();
    const documents = rows.filter((r) => r.document);
    if (documents.length === 0) return errors;
    const files = await this.fileRecords();
    for (const row of documents) {
      const file = files.get(row.document!.fileId);
      if (!file) {
        errors.set(row, new Error(`file ${row.document!.fileId} is not in PracticeHub's files`));
        continue;
      }
      const link = file.download_url;
      if (typeof link !== 'string' || link === '') {
        errors.set(
          row,
          new Error(
            `file ${row.document!.fileId} has no download_url in PracticeHub's files, so it cannot be downloaded: check the files resource with flitstack audit, or leave the document out of the spec`,
          ),
        );
        continue;
      }
      const size = Number(file.size ?? 0);
      const filename = safeName(String(file.filename ?? `file-${file.id}`));
      const ref = { id: String(file.id), download_url: link };
      try {
        if (Math.ceil(size / 3) * 4 <= this.maxUploadBytes) {
          const { body, contentType } = await this.practicehub.download(ref);
          Object.assign(row.body, {
            isdocument: true,
            filename,
            mimetype: contentType || String(file.content_type ?? 'application/octet-stream'),
            documentbody: body.toString('base64'),
          });
        } else {
          if (!this.archive)
            throw new Error('the file is over the attachment limit and migration.yaml has no archive');
          const relative = `documents/${safeName(String(file.id))}-${filename}`;
          makeDirectory(join(this.archive.dir, 'documents'), 0o700);
          await this.practicehub.downloadTo(ref, join(this.archive.dir, relative));
          const url = `${this.archive.baseUrl.replace(/\/$/, '')}/${relative}`;
          const text = typeof row.body.notetext === 'string' ? row.body.notetext : '';
          row.body.notetext = withArchiveLink(text, size, url);
          row.flags.push({
            column: 'documentbody',
            code: 'document_archived',
            detail: `file of ${size} bytes is over the ${this.maxUploadBytes}-byte attachment limit; archived and linked from the note`,
          });
        }
      } catch (error) {
        errors.set(row, error);
      }
    }
    return errors;
  }
}
