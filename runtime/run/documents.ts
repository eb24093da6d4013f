import { join } from 'node:path';
import type { DataverseClient } from '../dataverse/index.ts';
import type { FileRef, PracticeHubClient, PracticeHubRecord } from '../practicehub/index.ts';
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

/** annotation.filename is a String column of MaxLength 255 (reference §1.4, REF`annotation`). */
export const FILENAME_MAX_LENGTH = 255;

/**
 * The file's own name as the note's filename column holds it: spaces, accents and other scripts kept
 * (the column is plain text, and the name is what a user sees and downloads the file as); control
 * characters, which a text column holds but a download header cannot, are left out. A name longer than
 * the column is cut before its extension; `cut` then says from how many characters.
 */
export function noteFilename(name: string): { readonly name: string; readonly cut?: number } {
  const cleaned = name
    .normalize('NFC')
    .replace(/\p{Cc}/gu, '')
    .trim();
  if (cleaned.length <= FILENAME_MAX_LENGTH) return { name: cleaned };
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  let end = FILENAME_MAX_LENGTH - extension.length;
  // Never keep half of a surrogate pair: Dataverse counts UTF-16 characters, as JavaScript does.
  if (/[\ud800-\udbff]/.test(cleaned.charAt(end - 1))) end--;
  return { name: cleaned.slice(0, end) + extension, cut: cleaned.length };
}

/** A note's text with the link to its file in the archive appended (a file over the attachment limit). */
export function withArchiveLink(text: string, size: number, url: string): string {
  return `${text}${text ? '\n\n' : ''}Archived file (${size} bytes, over the attachment limit): ${url}`;
}

/** What `withArchiveLink` appends, as Dataverse holds it after the note's own text. */
export const ARCHIVE_LINK = /^(\n\n)?Archived file \(\d+ bytes, over the attachment limit\): \S+$/;

/**
 * The columns that hold a note's file, as a write that leaves the note without one sets them. The file
 * name, MIME type and Base64 body are "part of the data for the record" and updated together
 * (PA`attachment-annotation-files`); an update that sets filename and mimetype removes an attachment
 * (Microsoft's annotation-note-entity page).
 */
export const NO_ATTACHMENT: Readonly<Record<string, unknown>> = {
  isdocument: false,
  filename: null,
  mimetype: null,
  documentbody: null,
};

/** Whether a note, as its pre-image holds it, carries a file. */
function hadAttachment(image: Readonly<Record<string, unknown>> | null | undefined): boolean {
  if (!image) return false;
  return image.isdocument === true || (typeof image.documentbody === 'string' && image.documentbody !== '');
}

/**
 * The organisation's attachment limit, organization.maxuploadfilesize: Base64 bytes, 5,242,880 unless
 * an administrator changed it (PA`attachment-annotation-files`, "Retrieve max upload file size": the
 * organization table has one row). `fallback` (the target snapshot's max_upload_file_size) stands in
 * when the row does not hold a usable value; a refused request is thrown, with its hint.
 */
export async function organisationUploadLimit(client: DataverseClient, fallback: number): Promise<number> {
  for await (const org of client.query<{ maxuploadfilesize?: unknown }>('organizations', {
    select: ['maxuploadfilesize'],
  })) {
    const limit = Number(org.maxuploadfilesize);
    return Number.isInteger(limit) && limit > 0 ? limit : fallback;
  }
  return fallback;
}

/** The Base64 size of a file of `size` bytes: what the attachment limit is compared with (reference §1.4). */
const base64Size = (size: number): number => Math.ceil(size / 3) * 4;

/** An attachment limit in Base64 bytes, and the setting it comes from (for flags and hints). */
export interface UploadLimit {
  readonly bytes: number;
  readonly setBy: string;
}

/** The spec file of a row's mapping, as hints name it. */
function mappingFile(row: Pick<PreparedRow, 'mapping'>): string {
  return row.mapping.files[0] ?? `the spec of mapping ${row.mapping.name}`;
}

/** Dataverse's code for a note whose file is over organization.maxuploadfilesize (reference §1.4, §8). */
export const ATTACHMENT_TOO_BIG = '0x80044a02';

/**
 * What to do when Dataverse refuses a note's file as too big (0x80044a02): the organisation's limit
 * changed since the run read it, or another setting applies. Files over the limit go to the archive.
 */
export function attachmentTooBigHint(row: Pick<PreparedRow, 'mapping'>): string {
  return `the file is over the organisation's attachment limit (organization.maxuploadfilesize, compared with the Base64 size): lower document.max_bytes in ${mappingFile(row)} so that larger files are archived and linked from the note, or raise the limit in the Power Platform admin center (environment Settings → Email → file size limit for attachments); then run again`;
}

/**
 * Attaches files to note rows: a file whose Base64 form fits the attachment limit is uploaded in the
 * note (documentbody; the limit applies to the Base64 size, reference §1.4); a larger one is written to
 * the archive directory and the note links to its archive URL (flagged). The limit of a row is the
 * smaller of its mapping's document.max_bytes and the organisation's own, read from Dataverse once,
 * when the first document needs it. A note that no longer gets a file in the note (the source record
 * has none now, or it went to the archive) is written without one, so an earlier attachment does not
 * stay behind.
 */
export class Attachments {
  private files: Map<string, PracticeHubRecord> | undefined;
  /** Requests the last listing of the files took, and links refreshed one by one since. */
  private listingCost = 0;
  private refreshedSinceListing = 0;
  private organisationLimit: Promise<number> | undefined;

  constructor(
    private readonly practicehub: PracticeHubClient,
    private readonly archive: { readonly dir: string; readonly baseUrl: string } | undefined,
    private readonly readOrganisationLimit: () => Promise<number>,
  ) {}

  /** The file records, listed when the first document is needed; freshLink lists them again. */
  private async fileRecords(): Promise<Map<string, PracticeHubRecord>> {
    if (!this.files) {
      this.files = new Map();
      await this.listFiles();
    }
    return this.files;
  }

  /** Lists the files page by page into `files`, whose download links are then fresh. */
  private async listFiles(): Promise<void> {
    let pages = 0;
    for await (const page of this.practicehub.pages('files')) {
      pages += 1;
      for (const f of page.records) this.files!.set(String(f.id), f);
    }
    this.listingCost = pages;
    this.refreshedSinceListing = 0;
  }

  /**
   * A fresh link for a file whose link expired (a 403, reference practicehub.md, sandbox model: Files).
   * Once one has expired, the others listed with it have too, or soon will: reading the records one by
   * one costs a request a file, and a listing a request per 100 files, but how many files the run still
   * downloads is not known here. So links are refreshed one by one until that has cost as many requests
   * as a listing, and then the files are listed again: never more than about twice the cheaper way, and
   * a run downloading thousands of files pays a listing per link lifetime instead of a request a file.
   */
  private readonly freshLink = async (id: string): Promise<FileRef> => {
    if (this.refreshedSinceListing + 1 >= this.listingCost) {
      await this.listFiles();
      const listed = this.files!.get(id)?.download_url;
      if (typeof listed === 'string' && listed !== '') return { id, download_url: listed };
    }
    this.refreshedSinceListing += 1;
    const record = await this.practicehub.get('files', id);
    this.files!.set(id, record);
    return { id, download_url: String(record.download_url ?? '') };
  };

  /**
   * The largest Base64 size uploaded in a note of this row's mapping, and which setting sets it: the
   * mapping's document.max_bytes, or the organisation's limit when that is lower (Dataverse refuses a
   * larger file whatever the spec says).
   */
  async limitFor(row: Pick<PreparedRow, 'mapping'>): Promise<UploadLimit> {
    this.organisationLimit ??= this.readOrganisationLimit();
    const organisation = await this.organisationLimit;
    const spec = row.mapping.document?.maxBytes;
    return spec !== undefined && spec < organisation
      ? { bytes: spec, setBy: `document.max_bytes of ${mappingFile(row)}` }
      : { bytes: organisation, setBy: "the organisation's maxuploadfilesize" };
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
      const uploaded = base64Size(size);
      const weight = row.document && uploaded <= (await this.limitFor(row)).bytes ? uploaded : 0;
      if (bytes + weight > maxBytes && out.at(-1)!.length > 0) {
        out.push([]);
        bytes = 0;
      }
      out.at(-1)!.push(row);
      bytes += weight;
    }
    return out;
  }

  /**
   * Adds the attachment (or archive link) to the body of each row of a mapping with a document, or
   * clears the note's file when the row has none; returns the rows that failed, with why. `before`
   * gives a row's pre-image (absent for a new row), to flag a file the write removes.
   */
  async attach(
    rows: readonly PreparedRow[],
    before: (row: PreparedRow) => Readonly<Record<string, unknown>> | null | undefined = () => undefined,
  ): Promise<Map<PreparedRow, unknown>> {
    const errors = new Map<PreparedRow, unknown>();
    for (const row of rows.filter((r) => r.mapping.document && !r.document)) {
      Object.assign(row.body, NO_ATTACHMENT);
      if (hadAttachment(before(row)))
        row.flags.push({
          column: 'documentbody',
          code: 'attachment_removed',
          detail: "the source record has no file now; the note's earlier attachment is removed",
        });
    }
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
      const original = String(file.filename ?? `file-${file.id}`);
      const ref = { id: String(file.id), download_url: link };
      try {
        const limit = await this.limitFor(row);
        const encoded = base64Size(size);
        if (encoded <= limit.bytes) {
          const { body, contentType } = await this.practicehub.download(ref, this.freshLink);
          const filename = noteFilename(original);
          Object.assign(row.body, {
            isdocument: true,
            filename: filename.name || `file-${file.id}`,
            mimetype: contentType || String(file.content_type ?? 'application/octet-stream'),
            documentbody: body.toString('base64'),
          });
          if (filename.cut !== undefined)
            row.flags.push({
              column: 'filename',
              code: 'truncated',
              detail: `file name cut from ${filename.cut} to ${FILENAME_MAX_LENGTH} characters, its extension kept`,
            });
        } else {
          if (!this.archive)
            throw new Error(
              `file ${file.id} is over the ${limit.bytes}-byte attachment limit (${limit.setBy}) and migration.yaml has no archive to put it in: add archive (dir and base_url) to the spec's migration.yaml, then run again`,
            );
          const relative = `documents/${safeName(String(file.id))}-${safeName(original)}`;
          makeDirectory(join(this.archive.dir, 'documents'), 0o700);
          await this.practicehub.downloadTo(ref, join(this.archive.dir, relative), this.freshLink);
          const url = `${this.archive.baseUrl.replace(/\/$/, '')}/${relative}`;
          const text = typeof row.body.notetext === 'string' ? row.body.notetext : '';
          row.body.notetext = withArchiveLink(text, size, url);
          // The note links to the file instead of holding it: a file it held before must not stay.
          Object.assign(row.body, NO_ATTACHMENT);
          const replaced = hadAttachment(before(row)) ? "; the note's earlier attachment is removed" : '';
          row.flags.push({
            column: 'documentbody',
            code: 'document_archived',
            detail: `file of ${size} bytes (${encoded} in Base64) is over the ${limit.bytes}-byte attachment limit (${limit.setBy}); archived and linked from the note${replaced}`,
          });
        }
      } catch (error) {
        errors.set(row, error);
      }
    }
    return errors;
  }
}
