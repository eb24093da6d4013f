import type { PracticeHubClient, PracticeHubRecord } from '../practicehub/index.ts';
import { byText } from '../shared/order.ts';

/** Sizes of the files a resource serves, from its sample, scaled to its total. */
export interface BinaryVolume {
  readonly sampled_files: number;
  readonly sampled_bytes: number;
  readonly mean_bytes: number;
  readonly estimated_bytes: number;
  /** By owner_type, when the records carry one. */
  readonly by_owner?: Readonly<Record<string, { readonly files: number; readonly estimated_bytes: number }>>;
}

/** Files a mapping attaches: `field` of `resource` holds ids of `files` records. */
export interface Attachment {
  readonly resource: string;
  readonly field: string;
  readonly files: string;
}

/** One file downloaded by the audit to time downloads: its size and the seconds from sending to its last byte. */
export interface DownloadTiming {
  readonly bytes: number;
  readonly seconds: number;
}

/** Sizes of the files sampled from a resource that serves files (records with size and download_url). */
export function binaryVolume(records: readonly PracticeHubRecord[], total: number): BinaryVolume | undefined {
  const files = records.filter((r) => typeof r.size === 'number' && 'download_url' in r);
  if (files.length === 0) return undefined;
  const bytes = files.reduce((n, r) => n + (r.size as number), 0);
  const mean = bytes / files.length;
  const owners = new Map<string, { files: number; bytes: number }>();
  for (const r of files) {
    if (typeof r.owner_type !== 'string') continue;
    const o = owners.get(r.owner_type) ?? { files: 0, bytes: 0 };
    o.files += 1;
    o.bytes += r.size as number;
    owners.set(r.owner_type, o);
  }
  const scale = total / files.length;
  return {
    sampled_files: files.length,
    sampled_bytes: bytes,
    mean_bytes: Math.round(mean),
    estimated_bytes: Math.round(mean * total),
    ...(owners.size > 0
      ? {
          by_owner: Object.fromEntries(
            [...owners.entries()]
              .sort(([a], [b]) => byText(a, b))
              .map(([k, v]) => [
                k,
                { files: Math.round(v.files * scale), estimated_bytes: Math.round(v.bytes * scale) },
              ]),
          ),
        }
      : {}),
  };
}

/** Largest file timed by the audit: big enough to show the bandwidth, small enough to stay cheap. */
const TIMED_FILE_LIMIT = 8 * 1024 * 1024;

/** Sizes of the sampled files each attachment points at, and those files. */
export function attachedFileSizes(
  attachments: readonly Attachment[],
  samples: ReadonlyMap<string, readonly PracticeHubRecord[]>,
): { sizes: Record<string, number[]>; files: PracticeHubRecord[] } {
  const sizes: Record<string, number[]> = {};
  const files: PracticeHubRecord[] = [];
  for (const a of attachments) {
    const byId = new Map((samples.get(a.files) ?? []).map((f) => [f.id, f]));
    const ids = (samples.get(a.resource) ?? []).map((r) => r[a.field]).filter((id) => typeof id === 'string');
    const found = ids.flatMap((id) => {
      const f = byId.get(id as string);
      return f && typeof f.size === 'number' ? [f] : [];
    });
    sizes[`${a.resource}.${a.field}`] = found.map((f) => f.size as number);
    files.push(...found);
  }
  return { sizes, files };
}

/**
 * Downloads one attached file and times it from the moment the request left (the client's `request`
 * event; waiting for a pacer slot is not download time) to its last byte.
 */
export async function timeDownload(
  client: PracticeHubClient,
  files: readonly PracticeHubRecord[],
  sentAt: ReadonlyMap<string, number>,
  now: () => number,
): Promise<DownloadTiming | undefined> {
  const fit = files
    .filter((f) => typeof f.download_url === 'string' && (f.size as number) <= TIMED_FILE_LIMIT)
    .sort((a, b) => (b.size as number) - (a.size as number))[0];
  if (!fit) return undefined;
  const url = fit.download_url as string;
  const file = await client.download({ id: fit.id, download_url: url });
  const sent = sentAt.get(pathOf(url));
  return sent === undefined ? undefined : { bytes: file.size, seconds: Math.max(0, now() - sent) / 1000 };
}

/** The path of a URL (the key of a request in the client's events). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
