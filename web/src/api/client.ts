/**
 * The typed API client: openapi-fetch over the paths generated from ../openapi.json (`npm run gen:api`)
 * plus, until they land, the endpoints of API.md typed in pending.ts. Every request carries the user's
 * language and access token; an expired access token is refreshed once (single flight) and the request
 * replayed; a refused refresh signs the user out.
 */
import createClient from "openapi-fetch";
import { ApiError, networkError, toApiError } from "./errors";
import type { PendingPaths } from "./pending";
import type { paths } from "./schema";
import { getSession, setSession, type Session } from "./session";

export type AllPaths = paths & Omit<PendingPaths, keyof paths>;

type Ok<O> = O extends { responses: infer R }
  ? R extends { 200: { content: { "application/json": infer B } } }
    ? B
    : R extends { 201: { content: { "application/json": infer B } } }
      ? B
      : never
  : never;
/** The `data` of a path's successful response, e.g. `DataOf<"/v1/tours/{item_id}", "get">`. */
export type DataOf<P extends keyof AllPaths, M extends keyof AllPaths[P]> =
  Ok<AllPaths[P][M]> extends { data: infer D } ? D : never;

let language = "en";
export function setApiLanguage(value: string): void {
  language = value;
}

let refreshing: Promise<boolean> | null = null;

async function refreshTokens(): Promise<boolean> {
  const session = getSession();
  if (!session) return false;
  try {
    const response = await globalThis.fetch(new Request(url("/v1/auth/refresh"), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": language },
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    }));
    if (!response.ok) {
      // A dead or revoked refresh token: the session is over (a network failure keeps it).
      if (response.status === 401 || response.status === 400) setSession(null);
      return false;
    }
    const body = (await response.json()) as { data: Session };
    setSession({ accessToken: body.data.accessToken, refreshToken: body.data.refreshToken, user: body.data.user });
    return true;
  } catch {
    return false;
  }
}

function send(request: Request): Promise<Response> {
  request.headers.set("Accept-Language", language);
  const session = getSession();
  if (session && !request.headers.has("Authorization")) {
    request.headers.set("Authorization", `Bearer ${session.accessToken}`);
  }
  return globalThis.fetch(request);
}

async function errorCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { error?: { code?: string } };
    return body.error?.code;
  } catch {
    return undefined;
  }
}

/** fetch with the language, the token, and one refresh-and-replay on an expired token. */
export async function authFetch(request: Request): Promise<Response> {
  const replay = request.clone();
  const response = await send(request);
  if (response.status !== 401 || !getSession() || new URL(request.url).pathname.startsWith("/v1/auth/")) {
    return response;
  }
  const code = await errorCode(response);
  if (code !== "TOKEN_EXPIRED" && code !== "UNAUTHORIZED" && code !== "TOKEN_REVOKED") return response;
  refreshing ??= refreshTokens().finally(() => {
    refreshing = null;
  });
  if (!(await refreshing)) return response;
  replay.headers.delete("Authorization");
  return send(replay);
}

function origin(): string {
  return globalThis.location?.origin && globalThis.location.origin !== "null" ? globalThis.location.origin : "http://localhost";
}
function url(path: string): string {
  return origin() + path;
}

export const api = createClient<AllPaths>({ baseUrl: origin(), fetch: authFetch });

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call and returns the envelope's `data`, or throws an ApiError. */
export async function call<T>(pending: Promise<Result<{ data: T }>>): Promise<T> {
  return (await callWithResponse(pending)).data;
}

/** Like `call`, with the response (for the pagination headers). */
export async function callWithResponse<T>(
  pending: Promise<Result<{ data: T }>>,
): Promise<{ data: T; response: Response }> {
  let result: Result<{ data: T }>;
  try {
    result = await pending;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw networkError();
  }
  const { response } = result;
  if (!response.ok || result.data === undefined) {
    if (response.ok && response.status === 204) return { data: undefined as T, response };
    throw toApiError(response.status, result.error, response.headers.get("X-Request-ID") ?? undefined);
  }
  return { data: result.data.data, response };
}

/** For endpoints that answer 204 with no body (logout). */
export async function callNoContent(pending: Promise<Result<unknown>>): Promise<void> {
  let result: Result<unknown>;
  try {
    result = await pending;
  } catch {
    throw networkError();
  }
  if (!result.response.ok) {
    throw toApiError(result.response.status, result.error, result.response.headers.get("X-Request-ID") ?? undefined);
  }
}
