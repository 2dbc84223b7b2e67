import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { api, call, setApiLanguage } from "../src/api/client";
import { ApiError } from "../src/api/errors";
import { getSession, setSession } from "../src/api/session";
import { fail, fakeApi, json, ok } from "./fakeApi";

const user = { id: "u1", email: "anna@example.com", fullName: "Anna", language: "en" as const, currency: "THB", role: "user" as const, createdAt: "2026-01-01T00:00:00Z" };
const me = () => call(api.GET("/v1/users/me"));

describe("API client", () => {
  beforeEach(() => {
    setApiLanguage("en");
    setSession({ accessToken: "access-1", refreshToken: "refresh-1", user });
  });
  afterEach(() => setSession(null));

  it("sends the token and the user's language, and returns the envelope's data", async () => {
    const api = fakeApi({ "GET /v1/users/me": () => ok(user) });
    setApiLanguage("ru");
    await expect(me()).resolves.toEqual(user);
    const [req] = api.seen;
    expect(req?.headers.get("Authorization")).toBe("Bearer access-1");
    expect(req?.headers.get("Accept-Language")).toBe("ru");
  });

  it("refreshes an expired access token once and replays the request", async () => {
    const api = fakeApi({
      "GET /v1/users/me": (req) => (req.headers.get("Authorization") === "Bearer access-2" ? ok(user) : fail(401, "TOKEN_EXPIRED")),
      "POST /v1/auth/refresh": () => ok({ accessToken: "access-2", refreshToken: "refresh-2", tokenType: "bearer", expiresIn: 1800, user }),
    });
    const [a, b] = await Promise.all([me(), me()]);
    expect(a).toEqual(user);
    expect(b).toEqual(user);
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(1);
    expect(api.calls("POST /v1/auth/refresh")[0]?.body).toEqual({ refreshToken: "refresh-1" });
    expect(getSession()?.refreshToken).toBe("refresh-2");
  });

  it("signs out when the refresh token is refused", async () => {
    fakeApi({
      "GET /v1/users/me": () => fail(401, "TOKEN_EXPIRED"),
      "POST /v1/auth/refresh": () => fail(401, "TOKEN_REVOKED"),
    });
    await expect(me()).rejects.toMatchObject({ status: 401, code: "TOKEN_EXPIRED" });
    expect(getSession()).toBeNull();
  });

  it("does not try to refresh for a failed login", async () => {
    const api = fakeApi({ "POST /v1/auth/login": () => fail(401, "INVALID_CREDENTIALS") });
    await expect(call(api_login())).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(0);
  });

  it("turns the contract's error body into an ApiError with code and details", async () => {
    fakeApi({ "GET /v1/users/me": () => fail(400, "VALIDATION_ERROR", [{ field: "email", message: "bad" }]) });
    const error = await me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: "VALIDATION_ERROR", details: [{ field: "email", message: "bad" }] });
  });

  it("maps a body that is not the contract's (a proxy's 502 page) to a code by status", async () => {
    fakeApi({ "GET /v1/users/me": () => new Response("<html>Bad gateway</html>", { status: 502 }) });
    await expect(me()).rejects.toMatchObject({ status: 502, code: "INTERNAL_ERROR" });
    fakeApi({ "GET /v1/users/me": () => json(429, {}) });
    await expect(me()).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });

  it("reports a dropped connection as NETWORK_ERROR", async () => {
    fakeApi({ "GET /v1/users/me": () => Promise.reject(new TypeError("Failed to fetch")) });
    await expect(me()).rejects.toMatchObject({ status: 0, code: "NETWORK_ERROR" });
  });
});

function api_login() {
  return api.POST("/v1/auth/login", { body: { email: "anna@example.com", password: "wrong-pass-1" } });
}
