import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { api, call } from "../api/client";
import { ApiError } from "../api/errors";
import type { Booking, Quote } from "../api/types";
import { addDays, todayInPhuket } from "../format";
import { useDebounced } from "../hooks";
import { Link } from "../router";
import { useApp } from "../state/app";
import { ErrorMessage, Price } from "./ui";

export interface Bookable {
  id: string;
  itemType: "vehicle" | "property" | "tour";
  maxGuests?: number;
}

export interface BookingFormProps {
  item: Bookable;
  start: string;
  onStartChange: (date: string) => void;
  onBooked: (booking: Booking) => void;
}

type Body = { itemType: Bookable["itemType"]; itemId: string; startDate: string; endDate?: string; guestsCount: number; childrenCount: number };

/** Dates and guests, a live quote from the server (what will be charged), and the confirm button. */
export function BookingForm({ item, start, onStartChange, onBooked }: BookingFormProps) {
  const { t, user } = useApp();
  const isTour = item.itemType === "tour";
  const today = todayInPhuket();
  const [end, setEnd] = useState(() => addDays(start || today, item.itemType === "property" ? 3 : 2));
  const [guests, setGuests] = useState(item.itemType === "vehicle" ? 1 : 2);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoteError, setQuoteError] = useState<ApiError | null>(null);
  const [quoting, setQuoting] = useState(false);
  const [submitError, setSubmitError] = useState<ApiError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const idempotency = useRef<{ body: string; key: string } | null>(null);

  useEffect(() => {
    if (start && end <= start && !isTour) setEnd(addDays(start, 1));
  }, [start, end, isTour]);

  const body = useMemo<Body | null>(() => {
    if (!start || (!isTour && (!end || end <= start)) || guests < 1) return null;
    return { itemType: item.itemType, itemId: item.id, startDate: start, ...(isTour ? {} : { endDate: end }), guestsCount: guests, childrenCount: 0 };
  }, [item.itemType, item.id, start, end, guests, isTour]);
  const debounced = useDebounced(body, 350);

  useEffect(() => {
    if (!debounced || !user) {
      setQuote(null);
      return;
    }
    let live = true;
    setQuoting(true);
    setQuoteError(null);
    call(api.POST("/v1/bookings/quote", { body: debounced }))
      .then((value) => live && setQuote(value))
      .catch((error: unknown) => {
        if (!live) return;
        setQuote(null);
        setQuoteError(error instanceof ApiError ? error : new ApiError(0, "UNKNOWN_ERROR", ""));
      })
      .finally(() => live && setQuoting(false));
    return () => {
      live = false;
    };
  }, [debounced, user]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!body) return;
    // One key per distinct booking attempt: a retried submit of the same form is replayed, not doubled.
    const serialized = JSON.stringify(body);
    if (idempotency.current?.body !== serialized) idempotency.current = { body: serialized, key: crypto.randomUUID() };
    setSubmitting(true);
    setSubmitError(null);
    try {
      const booking = await call(api.POST("/v1/bookings", { body, headers: { "Idempotency-Key": idempotency.current.key } }));
      onBooked(booking);
    } catch (error) {
      setSubmitError(error instanceof ApiError ? error : new ApiError(0, "UNKNOWN_ERROR", ""));
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <form className="booking-form card" onSubmit={submit} aria-labelledby="booking-title" noValidate>
      <h2 id="booking-title">{t("booking.title")}</h2>
      <div className="row">
        <label>
          {isTour ? t("booking.date") : t("booking.start")}
          <input type="date" name="start" required min={today} value={start} onChange={(e) => onStartChange(e.target.value)} />
        </label>
        {!isTour && (
          <label>
            {t("booking.end")}
            <input type="date" name="end" required min={start ? addDays(start, 1) : today} value={end} onChange={(e) => setEnd(e.target.value)} />
          </label>
        )}
        <label>
          {t("booking.guests")}
          <input
            type="number"
            name="guests"
            inputMode="numeric"
            min={1}
            max={item.maxGuests ?? 100}
            value={guests}
            onChange={(e) => setGuests(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
          />
        </label>
      </div>
      {!user ? (
        <p>
          <Link to={`/login?next=${encodeURIComponent(location.pathname)}`} className="button">
            {t("booking.loginToBook")}
          </Link>
        </p>
      ) : (
        <>
          <div className="quote" aria-live="polite" data-testid="quote">
            {!body && <p className="muted">{t("booking.pickDates")}</p>}
            {body && quoting && <p className="muted">{t("booking.quoting")}</p>}
            {body && !quoting && quote && (
              <>
                <ul className="breakdown">
                  {quote.breakdown.map((line, i) => (
                    <li key={`${line.kind}-${i}`}>
                      <span>{line.label}</span> <Price money={line.amount} />
                    </li>
                  ))}
                </ul>
                <p className="total">
                  {t("booking.total")}: <Price money={quote.totalPrice} strong />
                </p>
              </>
            )}
            {body && !quoting && quoteError && <ErrorMessage error={quoteError} />}
          </div>
          {submitError && <ErrorMessage error={submitError} />}
          <button type="submit" className="primary" disabled={!body || submitting || !quote}>
            {submitting ? t("booking.confirming") : t("booking.confirm")}
          </button>
        </>
      )}
    </form>
  );
}
