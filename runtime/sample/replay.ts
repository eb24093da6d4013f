import type { SourceRecord } from '../mapping/index.ts';
import type {
  PagesOptions,
  PracticeHubClient,
  PracticeHubPage,
  PracticeHubRecord,
} from '../practicehub/index.ts';
import { isUpdatedSince, projectionFields, projectRecord } from '../practicehub/records.ts';

/**
 * The PracticeHub client as the sample's run sees it: a resource the selection read comes back as one
 * page of the chosen records (in source order, cut to the fields asked for) from memory, so the
 * sample reads PracticeHub once; every other call (the files list, downloads) goes to the client,
 * whose counters and rate limit it shares.
 */
export function replaying(
  client: PracticeHubClient,
  records: ReadonlyMap<string, readonly SourceRecord[]>,
): PracticeHubClient {
  async function* pages(resource: string, options: PagesOptions = {}): AsyncGenerator<PracticeHubPage> {
    const held = records.get(resource);
    if (!held) {
      yield* client.pages(resource, options);
      return;
    }
    if ((options.fromPage ?? 1) > 1) return;
    const fields = options.fields ? projectionFields(options.fields) : undefined;
    const since = options.updatedSince;
    const out = (held as readonly PracticeHubRecord[])
      .filter((r) => since === undefined || isUpdatedSince(r, since))
      .map((r) => (fields ? projectRecord(r, fields) : r));
    yield { page: 1, totalEntries: out.length, records: out, hasNext: false, clientFiltered: false };
  }
  // A view over the client: its own methods and state through the prototype, `pages` replaced.
  const view = Object.create(client) as PracticeHubClient;
  Object.defineProperty(view, 'pages', { value: pages });
  return view;
}
