/** A fake of the API at the fetch level: tests declare answers per "METHOD /path" and read the requests. */
import { vi } from "vitest";

export interface Seen {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: unknown;
}
type Answer = (req: Seen) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
export const ok = (data: unknown, status = 200) => json(status, { data, meta: { requestId: "r", timestamp: "2026-01-01T00:00:00Z" } });
export const fail = (status: number, code: string, details: { field: string; message: string }[] = []) =>
  json(status, { error: { code, message: `server text for ${code}`, details }, meta: { requestId: "r", timestamp: "2026-01-01T00:00:00Z" } });

export function fakeApi(routes: Record<string, Answer>) {
  const seen: Seen[] = [];
  const fetch = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const text = input.method === "GET" ? "" : await input.text();
    const req: Seen = { method: input.method, path: url.pathname, search: url.search, headers: input.headers, body: text ? JSON.parse(text) : undefined };
    seen.push(req);
    const answer = routes[`${req.method} ${req.path}`];
    if (!answer) return fail(404, "NOT_FOUND");
    return answer(req);
  });
  vi.stubGlobal("fetch", fetch);
  return { seen, fetch, calls: (key: string) => seen.filter((s) => `${s.method} ${s.path}` === key) };
}
