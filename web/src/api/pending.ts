/**
 * Endpoints of the shared API.md that are not in openapi.json yet, typed the way openapi-typescript
 * would generate them. `AllPaths` (client.ts) uses these only for paths the generated schema lacks:
 * once an endpoint lands and `npm run gen:api` runs, the generated type replaces the one here, and any
 * difference from what the screens use fails `tsc` in the build instead of drifting silently.
 * (Catalog, bookings, currency, weather and the assistant were typed here too until they landed.)
 */
import type { components } from "./schema";

type Meta = components["schemas"]["Meta"];
type ErrorResponse = components["schemas"]["ErrorResponse"];
type Json<T> = { headers: { [name: string]: unknown }; content: { "application/json": T } };
type Fail = Json<ErrorResponse>;
type Env<T> = { data: T; meta: Meta };
type PathParams<P> = [P] extends [never] ? { path?: never } : { path: P };

interface Post<P, B, T, S extends number> {
  parameters: PathParams<P> & { query?: never; header?: never; cookie?: never };
  requestBody: { content: { "application/json": B } };
  responses: { [K in S]: Json<Env<T>> } & { 400: Fail; 401: Fail; 404: Fail; 422: Fail; 429: Fail };
}
type Op<M> = { parameters: { query?: never; header?: never; path?: never; cookie?: never } } & M;

export interface PaymentPublic {
  [key: string]: unknown;
  method?: string;
  status?: string;
  clientSecret?: string | null;
}

export interface PendingPaths {
  "/v1/bookings/{booking_id}/payment": Op<{ post: Post<{ booking_id: string }, { method: "card" | "cash" }, PaymentPublic, 200 | 201> }>;
}
