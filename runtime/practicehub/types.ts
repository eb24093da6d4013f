/** A JSON value as PracticeHub serves it. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** One served record: an object with an id (a string of digits in the sandbox). */
export type PracticeHubRecord = { readonly id: string } & { readonly [key: string]: JsonValue };

/** One page of a list, as pages() delivers it. */
export interface PracticeHubPage {
  /** 1-based page number, as sent in `page=`. */
  readonly page: number;
  /** `total_entries` of this answer: the records the request matches (the whole resource when filtering client-side). */
  readonly totalEntries: number;
  readonly records: readonly PracticeHubRecord[];
  /** True when a further page holds records. */
  readonly hasNext: boolean;
  /** True when `updated=` was ignored by the API and records were filtered on this side. */
  readonly clientFiltered: boolean;
}

/** A list response as documented: `{ total_entries, data, links }` (reference practicehub.md, Documented). */
export interface ListBody {
  readonly totalEntries: number;
  readonly data: readonly PracticeHubRecord[];
  readonly next: string | null;
}

/** What download() and downloadTo() need of a file record. */
export interface FileRef {
  readonly id: string;
  readonly download_url: string;
}
