/**
 * HTTP client of the admin CLI: one call per command, admin token from the
 * environment, errors in OpenAI's shape turned into ApiError.
 */

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string | null;

  constructor(status: number, code: string | null, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

export interface AdminClientOptions {
  baseUrl: string;
  adminToken: string;
}

export interface ApiResponse {
  contentType: string;
  text: string;
  json: unknown;
}

export class AdminClient {
  readonly #baseUrl: string;
  readonly #adminToken: string;

  constructor(options: AdminClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#adminToken = options.adminToken;
  }

  /** Sends one admin request; `path` starts after /admin, e.g. '/customers'. */
  async call(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<ApiResponse> {
    const url = `${this.#baseUrl}/admin${path}`;
    let response: Response;

    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.#adminToken}`,
          accept,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new ConnectionError(`cannot reach Tollgate at ${this.#baseUrl}: ${reason}. Check TOLLGATE_URL and that the gateway is running.`);
    }

    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    const json = contentType.includes('json') ? parseJson(text) : null;

    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiError(response.status, error?.code ?? null, error?.message ?? `HTTP ${response.status} from ${url}`);
    }

    return { contentType, text, json };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
