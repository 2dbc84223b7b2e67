import type { Language } from "./i18n";
import { locale } from "./i18n";

export function formatMoney(amount: string | number, currency: string, language: Language): string {
  const value = typeof amount === "number" ? amount : Number(amount);
  const digits = currency === "JPY" || currency === "KRW" ? 0 : Number.isInteger(value) ? 0 : 2;
  try {
    return new Intl.NumberFormat(locale(language), {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${currency}`;
  }
}

/** The approximate amount of `thb` in `currency` with rates quoted per 1 THB; null when unknown. */
export function approximate(thb: string, currency: string, rates: Record<string, string> | undefined): number | null {
  if (currency === "THB" || !rates) return null;
  const rate = rates[currency];
  if (!rate) return null;
  return Number(thb) * Number(rate);
}

export function formatDate(iso: string, language: Language, options: Intl.DateTimeFormatOptions = {}): string {
  const date = iso.length === 10 ? new Date(`${iso}T00:00:00`) : new Date(iso);
  return new Intl.DateTimeFormat(locale(language), { day: "numeric", month: "short", year: "numeric", ...options }).format(date);
}

export function formatDateTime(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(locale(language), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

/** Today in Phuket (Asia/Bangkok) as YYYY-MM-DD: bookings follow Phuket's calendar. */
export function todayInPhuket(now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Bangkok" }).format(now);
}

export function addDays(iso: string, days: number): string {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
