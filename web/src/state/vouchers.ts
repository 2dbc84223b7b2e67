/** Vouchers of the user's live bookings, kept on the device so they open without a connection. */
import type { Booking } from "../api/types";

const KEY = "phuket.vouchers";
const KEEP: ReadonlySet<string> = new Set(["confirmed", "pending"]);

function all(): Record<string, Booking> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? "{}") as Record<string, Booking>;
  } catch {
    return {};
  }
}

export function saveVoucher(booking: Booking): boolean {
  const vouchers = all();
  if (KEEP.has(booking.status)) vouchers[booking.id] = booking;
  else delete vouchers[booking.id];
  try {
    localStorage.setItem(KEY, JSON.stringify(vouchers));
  } catch {
    return false;
  }
  return KEEP.has(booking.status);
}

export function savedVoucher(id: string): Booking | null {
  return all()[id] ?? null;
}

export function clearVouchers(): void {
  localStorage.removeItem(KEY);
}
