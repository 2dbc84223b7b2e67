import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setSession } from "../src/api/session";
import { BookingForm } from "../src/components/BookingForm";
import { AppProvider } from "../src/state/app";
import { fail, fakeApi, ok } from "./fakeApi";

const user = { id: "u1", email: "anna@example.com", fullName: "Anna", language: "en" as const, currency: "THB", role: "user" as const, createdAt: "2026-01-01T00:00:00Z" };
const money = (amount: string) => ({ amount, currency: "THB" });
const quote = { totalPrice: money("1000.00"), breakdown: [{ kind: "high_season", label: "High season", quantity: 2, unitPrice: money("500.00"), amount: money("1000.00") }], days: 2, nights: null };
const rates = { base: "THB", rates: { RUB: "2.5", USD: "0.029" }, source: "bundled-snapshot", updatedAt: "2026-01-01T00:00:00Z" };
const booking = { id: "b1", confirmationCode: "3YQDP9AA", status: "pending" };
const item = { id: "scooter-1", itemType: "vehicle" as const, maxGuests: 2 };

function renderForm(onBooked = vi.fn()) {
  render(
    <AppProvider>
      <BookingForm item={item} start="2030-01-10" onStartChange={() => undefined} onBooked={onBooked} />
    </AppProvider>,
  );
  return onBooked;
}

describe("BookingForm", () => {
  beforeEach(() => {
    localStorage.clear();
    localStorage.setItem("phuket.language", "en");
    localStorage.setItem("phuket.currency", "RUB");
  });
  afterEach(() => {
    cleanup();
    setSession(null);
  });

  it("asks a visitor to log in instead of quoting", async () => {
    const api = fakeApi({ "GET /v1/currency/rates": () => ok(rates) });
    renderForm();
    expect(await screen.findByRole("link", { name: "Log in to see the exact price and book" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Confirm booking" })).toBeNull();
    expect(api.calls("POST /v1/bookings/quote")).toHaveLength(0);
  });

  it("shows the server's live quote in THB with the approximate amount in the chosen currency", async () => {
    setSession({ accessToken: "a", refreshToken: "r", user });
    const api = fakeApi({ "GET /v1/currency/rates": () => ok(rates), "POST /v1/bookings/quote": () => ok(quote) });
    renderForm();
    const total = await screen.findByText("Total:", { exact: false });
    await waitFor(() => expect(total.textContent).toMatch(/THB|฿/));
    await waitFor(() => expect(total.textContent).toContain("2,500"));
    expect(api.calls("POST /v1/bookings/quote").at(-1)?.body).toEqual({
      itemType: "vehicle",
      itemId: "scooter-1",
      startDate: "2030-01-10",
      endDate: "2030-01-12",
      guestsCount: 1,
      childrenCount: 0,
    });
  });

  it("re-quotes when the dates change", async () => {
    setSession({ accessToken: "a", refreshToken: "r", user });
    const api = fakeApi({ "GET /v1/currency/rates": () => ok(rates), "POST /v1/bookings/quote": () => ok(quote) });
    renderForm();
    await screen.findByText("Total:", { exact: false });
    fireEvent.change(screen.getByLabelText("Until"), { target: { value: "2030-01-15" } });
    await waitFor(() => expect(api.calls("POST /v1/bookings/quote").at(-1)?.body).toMatchObject({ endDate: "2030-01-15" }));
  });

  it("explains an unavailable item in the user's language and does not let them confirm", async () => {
    localStorage.setItem("phuket.language", "ru");
    setSession({ accessToken: "a", refreshToken: "r", user });
    fakeApi({ "GET /v1/currency/rates": () => ok(rates), "POST /v1/bookings/quote": () => fail(422, "ITEM_UNAVAILABLE") });
    renderForm();
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("К сожалению, на эти даты занято");
    expect(alert.textContent).not.toContain("server text");
    expect((screen.getByRole("button", { name: "Забронировать" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("books with an Idempotency-Key and hands the booking on", async () => {
    setSession({ accessToken: "a", refreshToken: "r", user });
    const api = fakeApi({
      "GET /v1/currency/rates": () => ok(rates),
      "POST /v1/bookings/quote": () => ok(quote),
      "POST /v1/bookings": () => ok(booking, 201),
    });
    const onBooked = renderForm();
    await screen.findByText("Total:", { exact: false });
    fireEvent.click(screen.getByRole("button", { name: "Confirm booking" }));
    await waitFor(() => expect(onBooked).toHaveBeenCalledWith(booking));
    const [created] = api.calls("POST /v1/bookings");
    expect(created?.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(created?.body).toMatchObject({ itemId: "scooter-1", startDate: "2030-01-10", endDate: "2030-01-12" });
  });
});
