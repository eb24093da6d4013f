import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import { openPrivate } from '../shared/private-file.ts';
import { readErrorBody, TruncatedBodyError } from './body.ts';
import { maskKey, PracticeHubRequestError, redactUrl } from './errors.ts';
import type { PracticeHubEventListener } from './events.ts';
import type { StatsRecorder } from './stats.ts';
import type { Reader, Transport } from './transport.ts';
import type { FileRef } from './types.ts';

/** What the file functions need from the client. */
export interface FileContext {
  readonly transport: Transport;
  readonly stats: StatsRecorder;
  readonly emit: PracticeHubEventListener;
  readonly apiKey: string;
  /** Fetches the file record again (`GET files/{id}`) for a fresh download_url. */
  readonly refresh: (id: string) => Promise<FileRef>;
}

/** A downloaded file held in memory. */
export interface DownloadedFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly size: number;
}

/** A file streamed to disk. */
export interface SavedFile {
  readonly path: string;
  readonly contentType: string;
  readonly size: number;
}

type Sink<T> = (res: Dispatcher.ResponseData, count: (bytes: number) => void) => Promise<T>;

/**
 * Fetches a file body through `sink`. Download links expire and then answer 403 (reference
 * practicehub.md, Documented: "files (download links that expire)"; sandbox model: Files): the file
 * record is read again once for a fresh link; a second 403 fails.
 */
async function fetchFile<T>(ctx: FileContext, file: FileRef, sink: Sink<T>): Promise<T> {
  let link = file.download_url;
  for (let refreshed = false; ; refreshed = true) {
    const url = parseLink(link, file.id);
    const read: Reader<{ refused: string } | { value: T }> = async (res, count) => {
      if (res.statusCode !== 403) return { value: await sink(res, count) };
      const body = await readErrorBody(res, count, ctx.apiKey, maskKey(ctx.apiKey));
      return { refused: body.text };
    };
    const outcome = await ctx.transport.send({ url, pass: [403] }, read);
    if ('value' in outcome) return outcome.value;
    if (refreshed) {
      throw new PracticeHubRequestError(
        { method: 'GET', url: redactUrl(url), status: 403, attempts: 2, serverText: outcome.refused },
        `the download link of file ${file.id} was refused, and so was a fresh one`,
        'Check that the API key may read files; a link is valid only for the key it was issued to.',
      );
    }
    link = (await ctx.refresh(file.id)).download_url;
    ctx.stats.linkRefreshed();
    ctx.emit({ type: 'link-refreshed', fileId: file.id });
  }
}

function parseLink(link: string, id: string): URL {
  try {
    return new URL(link);
  } catch {
    throw new PracticeHubRequestError(
      { method: 'GET', url: `(file ${id})`, status: null, attempts: 0, serverText: '' },
      `file ${id} has no usable download_url`,
      'Read the file record again; its download_url must be an absolute URL.',
    );
  }
}

function contentTypeOf(res: Dispatcher.ResponseData): string {
  const type = res.headers['content-type'];
  return (Array.isArray(type) ? type[0] : type) ?? 'application/octet-stream';
}

function declaredLength(res: Dispatcher.ResponseData): number | undefined {
  const text = res.headers['content-length'];
  return typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Downloads a file into memory (for small files; use downloadToFile for anything large). */
export async function downloadFile(ctx: FileContext, file: FileRef): Promise<DownloadedFile> {
  const result = await fetchFile(ctx, file, async (res, count) => {
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) {
      count((chunk as Buffer).length);
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const declared = declaredLength(res);
    if (declared !== undefined && declared !== body.length) {
      throw new TruncatedBodyError(`received ${body.length} of ${declared} bytes`);
    }
    return { body, contentType: contentTypeOf(res), size: body.length };
  });
  ctx.emit({ type: 'downloaded', fileId: file.id, bytes: result.size });
  return result;
}

/**
 * Streams a file to `path` without holding it in memory (files can exceed 20 MB). It is written to
 * `<path>.part` and renamed when complete, so `path` never holds half a file; a retry after a reset
 * starts the part file over.
 */
export async function downloadToFile(ctx: FileContext, file: FileRef, path: string): Promise<SavedFile> {
  const part = `${path}.part`;
  try {
    const result = await fetchFile(ctx, file, async (res, count) => {
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          count(chunk.length);
          done(null, chunk);
        },
      });
      // Readable by its owner only, as a file of a patient may be.
      await pipeline(res.body, counter, createWriteStream(part, { fd: openPrivate(part) }));
      const declared = declaredLength(res);
      if (declared !== undefined && declared !== size) {
        throw new TruncatedBodyError(`received ${size} of ${declared} bytes`);
      }
      return { contentType: contentTypeOf(res), size };
    });
    await rename(part, path);
    ctx.emit({ type: 'downloaded', fileId: file.id, bytes: result.size });
    return { path, ...result };
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
}
