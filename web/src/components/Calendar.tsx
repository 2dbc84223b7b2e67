import { useEffect, useRef, useState } from "react";
import { api, call } from "../api/client";
import type { AvailabilityDay, Kind } from "../api/types";
import { addDays, formatDate, todayInPhuket } from "../format";
import { useAsync } from "../hooks";
import { useApp } from "../state/app";
import { ErrorMessage, Loading } from "./ui";

const WINDOW = 28;

function loadDays(kind: Kind, itemId: string, from: string, to: string): Promise<AvailabilityDay[]> {
  const params = { path: { item_id: itemId }, query: { from, to } };
  if (kind === "vehicles") return call(api.GET("/v1/vehicles/{item_id}/availability", { params }));
  if (kind === "properties") return call(api.GET("/v1/properties/{item_id}/availability", { params }));
  return call(api.GET("/v1/tours/{item_id}/availability", { params }));
}

/** Per-day availability for four weeks; picking a free day starts a booking on it. */
export function AvailabilityCalendar({ kind, itemId, onPick, selected }: { kind: Kind; itemId: string; onPick?: (date: string) => void; selected?: string }) {
  const { t, language } = useApp();
  const today = todayInPhuket();
  const [from, setFrom] = useState(today);
  const to = addDays(from, WINDOW - 1);
  const days = useAsync(() => loadDays(kind, itemId, from, to), [kind, itemId, from]);
  // Start the booking form on the first day that can actually be booked (notice period, tour days, other
  // bookings), once, instead of on a day the server would refuse.
  const autoPicked = useRef(false);
  useEffect(() => {
    if (autoPicked.current || !days.data || !onPick) return;
    autoPicked.current = true;
    const chosen = days.data.find((d) => d.date === selected);
    const first = days.data.find((d) => d.available);
    if (first && !chosen?.available) onPick(first.date);
  }, [days.data, onPick, selected]);
  return (
    <div className="calendar">
      <div className="calendar-nav">
        <button type="button" className="secondary small" disabled={from <= today} onClick={() => setFrom(addDays(from, -WINDOW))}>
          ‹ {t("calendar.prev")}
        </button>
        <span>
          {formatDate(from, language, { year: undefined })} – {formatDate(to, language)}
        </span>
        <button type="button" className="secondary small" onClick={() => setFrom(addDays(from, WINDOW))}>
          {t("calendar.next")} ›
        </button>
      </div>
      {days.loading && !days.data && <Loading />}
      {days.error && <ErrorMessage error={days.error} onRetry={days.reload} />}
      {days.data && (
        <ol className="calendar-grid" aria-label={t("detail.availability")}>
          {days.data.map((day) => {
            const label = `${formatDate(day.date, language, { weekday: "short", year: undefined })}: ${
              day.available ? t("calendar.available") : t("calendar.unavailable")
            }${day.seatsLeft != null && day.available ? `, ${t("calendar.seats", { n: day.seatsLeft })}` : ""}`;
            return (
              <li key={day.date}>
                <button
                  type="button"
                  className={`day ${day.available ? "free" : "taken"}${selected === day.date ? " selected" : ""}`}
                  disabled={!day.available || !onPick}
                  aria-pressed={selected === day.date}
                  aria-label={label}
                  title={label}
                  onClick={() => onPick?.(day.date)}
                >
                  <span className="day-num">{Number(day.date.slice(8, 10))}</span>
                  {day.seatsLeft != null && day.available && <span className="day-seats">{day.seatsLeft}</span>}
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
