import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setSession } from "../src/api/session";
import Payment from "../src/screens/Payment";
import { AppProvider } from "../src/state/app";
import { fakeApi, ok } from "./fakeApi";

// Stripe.js comes from js.stripe.com in the browser; here a double stands in at the module boundary.
const stripe = { elements: vi.fn(), confirmPayment: vi.fn() };
const loadStripe = vi.fn();
vi.mock("../src/stripe", () => ({ loadStripe: (key: string) => loadStripe(key) }));

const user = { id: "u1", email: "anna@example.com", fullName: "Anna", language: "en" as const, currency: "THB", role: "user" as const, createdAt: "2026-01-01T00:00:00Z" };
const money = (amount: string) => ({ amount, currency: "THB" });
const booking = {
  id: "b1", itemType: "vehicle", itemId: "v1", item: { id: "v1", type: "vehicle", name: "Honda Click", area: "Kata", image: null },
  status: "pending", confirmationCode: "3YQDP9AA", startDate: "2030-01-10", endDate: "2030-01-12", guestsCount: 1, childrenCount: 0,
  totalPrice: money("700.00"), breakdown: [], paymentStatus: "unpaid", paymentMethod: null, amountPaid: money("0.00"),
  instantConfirmation: true, startsAt: "2030-01-10T02:00:00Z", refundAmount: money("0.00"), createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
};

function renderPayment() {
  render(
    <AppProvider>
      <Payment id="b1" />
    </AppProvider>,
  );
}

async function choose(method: "Card" | "Cash on arrival") {
  fireEvent.click(await screen.findByLabelText(method, { exact: false }));
  fireEvent.click(screen.getByRole("button", { name: "Pay" }));
}

describe("Payment", () => {
  beforeEach(() => {
    localStorage.clear();
    localStorage.setItem("phuket.language", "en");
    setSession({ accessToken: "a", refreshToken: "r", user });
    loadStripe.mockReset().mockResolvedValue(stripe);
    stripe.elements.mockReset().mockReturnValue({ create: () => ({ mount: vi.fn(), destroy: vi.fn() }) });
    stripe.confirmPayment.mockReset();
  });
  afterEach(() => {
    cleanup();
    setSession(null);
  });

  it("confirms a card payment with Stripe's element for the intent the server created", async () => {
    const api = fakeApi({
      "GET /v1/bookings/b1": () => ok(booking),
      "POST /v1/bookings/b1/payment": () =>
        ok({ method: "card", fallback: false, paymentStatus: "processing", clientSecret: "pi_1_secret_2", publishableKey: "pk_test_1", amount: money("700.00") }),
    });
    stripe.confirmPayment.mockResolvedValue({ paymentIntent: { status: "succeeded" } });
    renderPayment();
    await choose("Card");
    const pay = await screen.findByRole("button", { name: "Pay by card" });
    await waitFor(() => expect((pay as HTMLButtonElement).disabled).toBe(false));
    expect(loadStripe).toHaveBeenCalledWith("pk_test_1");
    expect(stripe.elements).toHaveBeenCalledWith({ clientSecret: "pi_1_secret_2", locale: "en" });
    fireEvent.click(pay);
    await screen.findByText(/card payment has started/);
    expect(stripe.confirmPayment).toHaveBeenCalledWith(expect.objectContaining({ redirect: "if_required" }));
    expect(api.calls("POST /v1/bookings/b1/payment")[0]?.body).toEqual({ method: "card" });
  });

  it("shows Stripe's refusal and lets the tourist try again", async () => {
    fakeApi({
      "GET /v1/bookings/b1": () => ok(booking),
      "POST /v1/bookings/b1/payment": () =>
        ok({ method: "card", fallback: false, paymentStatus: "processing", clientSecret: "s", publishableKey: "pk", amount: money("700.00") }),
    });
    stripe.confirmPayment.mockResolvedValue({ error: { message: "Your card was declined." } });
    renderPayment();
    await choose("Card");
    const pay = await screen.findByRole("button", { name: "Pay by card" });
    await waitFor(() => expect((pay as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(pay);
    expect((await screen.findByRole("alert")).textContent).toBe("Your card was declined.");
    expect(screen.getByRole("button", { name: "Pay by card" })).toBeTruthy();
  });

  it("says so when the server fell back to cash because card payments are unavailable", async () => {
    fakeApi({
      "GET /v1/bookings/b1": () => ok(booking),
      "POST /v1/bookings/b1/payment": () =>
        ok({ method: "cash", fallback: true, paymentStatus: "due_on_arrival", dueOnArrival: money("700.00") }),
    });
    renderPayment();
    await choose("Card");
    await screen.findByText(/Card payments are unavailable right now/);
    expect(loadStripe).not.toHaveBeenCalled();
  });

  it("offers cash when Stripe.js cannot be loaded", async () => {
    fakeApi({
      "GET /v1/bookings/b1": () => ok(booking),
      "POST /v1/bookings/b1/payment": () =>
        ok({ method: "card", fallback: false, paymentStatus: "processing", clientSecret: "s", publishableKey: "pk", amount: money("700.00") }),
    });
    loadStripe.mockRejectedValue(new Error("offline"));
    renderPayment();
    await choose("Card");
    expect((await screen.findByRole("alert")).textContent).toMatch(/could not be loaded/);
  });
});
