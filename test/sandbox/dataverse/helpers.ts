import {
  type DataverseSandbox,
  type DataverseSandboxOptions,
  startDataverseSandbox,
} from '../../../sandbox/dataverse/index.ts';

/** A parsed response: status, headers and the body as JSON when it is JSON, else text. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary JSON
  readonly json: any;
  readonly text: string;
}

/** Options of one API call. */
export interface CallOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly token?: string | null;
}

/** A sandbox plus a small HTTP client that speaks the Web API the way a real client does. */
export interface Harness {
  readonly sb: DataverseSandbox;
  readonly token: string;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  close(): Promise<void>;
}

/** Asks the sandbox's token endpoint for a client-credentials token (reference §7). */
export async function fetchToken(sb: DataverseSandbox): Promise<string> {
  const res = await fetch(`${sb.authorityHost}/${sb.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sb.clientId,
      client_secret: sb.clientSecret,
      scope: sb.scope,
    }),
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

async function toReply(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Starts a sandbox with the given options and authenticates against it. */
export async function harness(options: DataverseSandboxOptions = {}): Promise<Harness> {
  const sb = await startDataverseSandbox(options);
  const token = await fetchToken(sb);
  return {
    sb,
    token,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = {
        Accept: 'application/json',
        'OData-MaxVersion': '4.0',
        'OData-Version': '4.0',
        ...(o.body !== undefined && typeof o.body !== 'string' ? { 'Content-Type': 'application/json' } : {}),
        ...(o.token !== null ? { Authorization: `Bearer ${o.token ?? token}` } : {}),
        ...o.headers,
      };
      const url = path.startsWith('http') ? path : `${sb.apiUrl}${path}`;
      const body =
        o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      return toReply(await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) }));
    },
    close: () => sb.close(),
  };
}

/** The id in an `OData-EntityId` header. */
export function entityId(reply: Reply): string {
  const header = reply.headers.get('OData-EntityId') ?? '';
  const m = /\(([0-9a-f-]{36})\)$/.exec(header);
  if (!m) throw new Error(`no id in OData-EntityId '${header}' (status ${reply.status}: ${reply.text})`);
  return m[1]!;
}
