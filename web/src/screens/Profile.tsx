import { useState } from "react";
import { api, call } from "../api/client";
import { ApiError } from "../api/errors";
import type { Booking } from "../api/types";
import { BookingDates, BookingSummary } from "../components/BookingSummary";
import { ErrorMessage, Loading, Page, Price, StatusBadge } from "../components/ui";
import { formatDateTime, formatMoney } from "../format";
import { useAsync } from "../hooks";
import { Link } from "../router";
import { useApp } from "../state/app";
import { saveVoucher } from "../state/vouchers";

const STATUSES = ["pending", "confirmed", "completed", "cancelled", "expired"] as const;
type Status = (typeof STATUSES)[number];

function CancelPanel({ booking, onDone, onClose }: { booking: Booking; onDone: (b: Booking) => void; onClose: () => void }) {
  const { t, language } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const terms = booking.cancellation;
  const paid = Number(booking.amountPaid.amount) > 0;
  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      onDone(await call(api.POST("/v1/bookings/{booking_id}/cancel", { params: { path: { booking_id: booking.id } }, body: {} })));
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "UNKNOWN_ERROR", ""));
      setBusy(false);
    }
  }
  return (
    <div className="cancel-panel" role="alertdialog" aria-labelledby={`cancel-${booking.id}`} aria-describedby={`cancel-d-${booking.id}`}>
      <h3 id={`cancel-${booking.id}`}>{t("cancel.title")}</h3>
      <div id={`cancel-d-${booking.id}`}>
        {terms ? (
          <>
            <p className="refund">
              <strong>{t("cancel.refund", { amount: formatMoney(terms.refundAmountNow.amount, terms.refundAmountNow.currency, language) })}</strong>{" "}
              {paid && t("cancel.refundPct", { pct: terms.refundPercentNow })}
            </p>
            {!paid && <p className="muted">{t("cancel.nothingPaid")}</p>}
            <p className="muted">{t("cancel.freeUntil", { time: formatDateTime(terms.freeUntil, language) })}</p>
          </>
        ) : (
          <p className="muted">{t("cancel.nothingPaid")}</p>
        )}
      </div>
      {error && <ErrorMessage error={error} />}
      <p className="actions">
        <button type="button" className="secondary" onClick={onClose} autoFocus>
          {t("cancel.keep")}
        </button>
        <button type="button" className="danger" onClick={cancel} disabled={busy}>
          {t("cancel.confirm")}
        </button>
      </p>
    </div>
  );
}

function BookingRow({ booking, onChange }: { booking: Booking; onChange: (b: Booking, message: string) => void }) {
  const { t, language } = useApp();
  const [cancelling, setCancelling] = useState(false);
  const live = booking.status === "pending" || booking.status === "confirmed";
  const unpaid = booking.status === "pending" && booking.paymentStatus === "unpaid";
  return (
    <li className="card booking" data-testid="booking" data-status={booking.status}>
      <div className="booking-head">
        <h2>{booking.item?.name ?? booking.itemType}</h2>
        <StatusBadge status={booking.status} />
      </div>
      <p className="muted">
        <BookingDates booking={booking} /> · <Price money={booking.totalPrice} />
      </p>
      <BookingSummary booking={booking} />
      <p className="actions">
        {live && (
          <Link to={`/bookings/${encodeURIComponent(booking.id)}/voucher`} className="button secondary">
            {t("booking.voucher")}
          </Link>
        )}
        {unpaid && (
          <Link to={`/bookings/${encodeURIComponent(booking.id)}/pay`} className="button primary">
            {t("booking.pay")}
          </Link>
        )}
        {live && !cancelling && (
          <button type="button" className="danger-outline" onClick={() => setCancelling(true)}>
            {t("booking.cancel")}
          </button>
        )}
      </p>
      {cancelling && (
        <CancelPanel
          booking={booking}
          onClose={() => setCancelling(false)}
          onDone={(b) => {
            setCancelling(false);
            onChange(b, t("cancel.done", { amount: formatMoney(b.refundAmount.amount, b.refundAmount.currency, language) }));
          }}
        />
      )}
    </li>
  );
}

export default function Profile() {
  const { t, user, language } = useApp();
  const [status, setStatus] = useState<Status | "">("");
  const [message, setMessage] = useState("");
  const bookings = useAsync(
    () => call(api.GET("/v1/bookings", { params: { query: { status: status || undefined, per_page: 50 } } })),
    [status, language],
  );
  const [overrides, setOverrides] = useState<Record<string, Booking>>({});
  const list = (bookings.data ?? []).map((b) => overrides[b.id] ?? b);
  for (const b of list) saveVoucher(b);
  return (
    <Page title={t("profile.bookings")}>
      {user && <p className="muted">{t("profile.hello", { name: user.fullName })} · {user.email}</p>}
      <div className="chips" role="group" aria-label={t("profile.filter")}>
        <button type="button" className="chip" aria-pressed={status === ""} onClick={() => setStatus("")}>
          {t("profile.all")}
        </button>
        {STATUSES.map((s) => (
          <button key={s} type="button" className="chip" aria-pressed={status === s} onClick={() => setStatus(s)}>
            {t(`status.${s}`)}
          </button>
        ))}
      </div>
      {message && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
      {bookings.loading && !bookings.data && <Loading />}
      {bookings.error && <ErrorMessage error={bookings.error} onRetry={bookings.reload} />}
      {bookings.data && list.length === 0 && <p className="muted">{t("profile.noBookings")}</p>}
      <ul className="bookings">
        {list.map((b) => (
          <BookingRow
            key={b.id}
            booking={b}
            onChange={(next, text) => {
              setOverrides((o) => ({ ...o, [next.id]: next }));
              setMessage(text);
            }}
          />
        ))}
      </ul>
    </Page>
  );
}
