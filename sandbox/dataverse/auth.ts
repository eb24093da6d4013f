import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { SandboxConfig } from './options.ts';

/** An issued access token and whom it stands for. */
interface Grant {
  readonly expiresAt: number;
  readonly userId: string;
}

/** The Entra ID token endpoint's answer. */
export interface TokenResult {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Microsoft Entra ID error JSON (reference-error-codes; v2-oauth2-client-creds-grant-flow): `error`,
 * `error_description` starting with the AADSTS code and ending with trace/correlation ids and timestamp,
 * `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`.
 */
function entraError(status: number, error: string, code: number, description: string): TokenResult {
  const trace = randomUUID();
  const correlation = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: trace,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

const missingParameter = (name: string) =>
  entraError(
    400,
    'invalid_request',
    900144,
    `The request body must contain the following parameter: '${name}'.`,
  );

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The client-credentials token endpoint (reference §7) and bearer-token checks. Tokens are opaque random
 * strings that expire after `tokenLifetimeSeconds`; no refresh tokens are issued in this flow.
 */
export class TokenService {
  private readonly grants = new Map<string, Grant>();

  constructor(
    private readonly config: SandboxConfig,
    private readonly resourceUrl: () => string,
    private readonly appUserId: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Handles `POST /{tenant}/oauth2/v2.0/token` with a form-encoded body. */
  issue(tenant: string, contentType: string | undefined, body: string): TokenResult {
    const c = this.config;
    if (tenant !== c.tenantId) {
      return entraError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    }
    const form = (contentType ?? '').startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(body)
      : new URLSearchParams();
    const grantType = form.get('grant_type');
    if (!grantType) return missingParameter('grant_type');
    if (grantType !== 'client_credentials') {
      return entraError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grantType}'.`,
      );
    }
    const clientId = form.get('client_id');
    if (!clientId) return missingParameter('client_id');
    if (clientId !== c.clientId) {
      return entraError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const secret = form.get('client_secret');
    if (!secret) {
      return entraError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    if (!sameSecret(secret, c.clientSecret)) {
      return entraError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${c.clientId}'.`,
      );
    }
    const scope = form.get('scope');
    if (!scope) return missingParameter('scope');
    // Confidential clients ask for `<environment-url>/.default` (PA`authenticate-oauth`).
    if (!scope.endsWith('/.default')) {
      return entraError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = scope.slice(0, -'/.default'.length).replace(/\/+$/, '');
    if (resource !== this.resourceUrl()) {
      return entraError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    const token = randomBytes(48).toString('base64url');
    this.grants.set(token, {
      expiresAt: this.now() + c.tokenLifetimeSeconds * 1000,
      userId: this.appUserId(),
    });
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: c.tokenLifetimeSeconds,
        ext_expires_in: c.tokenLifetimeSeconds,
        access_token: token,
      },
    };
  }

  /** The systemuserid behind a valid, unexpired `Authorization: Bearer` header, or undefined. */
  authenticate(header: string | undefined): string | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const grant = this.grants.get(m[1]!);
    if (!grant) return undefined;
    if (grant.expiresAt <= this.now()) {
      this.grants.delete(m[1]!);
      return undefined;
    }
    return grant.userId;
  }

  /** Dataverse's 401 challenge names the authority and the resource (seen on every tenant). */
  challenge(authorityHost: string): string {
    return `Bearer authorization_uri=${authorityHost}/${this.config.tenantId}/oauth2/authorize, resource_id=${this.resourceUrl()}/`;
  }
}
