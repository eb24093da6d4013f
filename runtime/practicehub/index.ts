/** The PracticeHub API client: base URL resolution, a paced and retrying client, its errors and events. */
export { type BackoffOptions, parseRetryAfter } from '../shared/backoff.ts';
export {
  type BaseUrlInput,
  characterName,
  DEFAULT_BASE_URL,
  PRACTICEHUB_REGIONS,
  type PracticeHubRegion,
  regionOfKey,
  resolveBaseUrl,
} from './base-url.ts';
export { type PagesOptions, PracticeHubClient, type PracticeHubClientOptions } from './client.ts';
export {
  maskKey,
  PracticeHubAuthError,
  PracticeHubConfigError,
  PracticeHubError,
  PracticeHubIgnoredFilterError,
  PracticeHubRequestError,
  redactUrl,
} from './errors.ts';
export type { PracticeHubEvent, PracticeHubEventListener } from './events.ts';
export type { DownloadedFile, SavedFile } from './files.ts';
export { MAX_PAGE_SIZE } from './list.ts';
export { Pacer } from './pacer.ts';
export { type EarlierWalk, RECENT_PAGES } from './paging.ts';
export { FAR_FUTURE } from './probes.ts';
export type { PracticeHubClientStats } from './stats.ts';
export type { FileRef, JsonValue, PracticeHubPage, PracticeHubRecord } from './types.ts';
