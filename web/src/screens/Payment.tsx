import { useState, type FormEvent } from "react";
import { api, call } from "../api/client";
import { ApiError } from "../api/errors";
import { BookingSummary } from "../components/BookingSummary";
import { CardPayment } from "../components/CardPayment";
import { ErrorMessage, Loading, Page } from "../components/ui";
import { formatMoney } from "../format";
import { useAsync } from "../hooks";
import { Link } from "../router";
import { useApp } from "../state/app";
import { saveVoucher } from "../state/vouchers";

export default function Payment({ id }: { id: string }) {
  const { t, language } = useApp();
  const booking = useAsync(() => call(api.GET("/v1/bookings/{booking_id}", { params: { path: { booking_id: id } } })), [id, language]);
  const [method, setMethod] = useState<"card" | "cash">("cash");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<null | "cash" | "card">(null);
  const [card, setCard] = useState<{ clientSecret: string; publishableKey: string } | null>(null);
  const [fellBack, setFellBack] = useState(false);

  async function pay(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const payment = await call(api.POST("/v1/bookings/{booking_id}/payment", { params: { path: { booking_id: id } }, body: { method } }));
      if (payment.method === "card" && payment.clientSecret && payment.publishableKey) {
        setCard({ clientSecret: payment.clientSecret, publishableKey: payment.publishableKey });
        return; // the card details are entered in Stripe's element below
      }
      // Card payments unavailable right now: the server fell back to paying on arrival, and says so.
      setFellBack(method === "card" && payment.method === "cash");
      setDone(payment.method === "card" ? "card" : "cash");
      booking.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "UNKNOWN_ERROR", ""));
    } finally {
      setBusy(false);
    }
  }

  if (booking.loading && !booking.data) return <Page title={t("pay.title")}><Loading /></Page>;
  if (!booking.data) return <Page title={t("pay.title")}>{booking.error && <ErrorMessage error={booking.error} onRetry={booking.reload} />}</Page>;
  const b = booking.data;
  saveVoucher(b);
  return (
    <Page title={t("pay.title")}>
      <div className="card">
        <h2>{b.item?.name ?? b.confirmationCode}</h2>
        <BookingSummary booking={b} />
      </div>
      {done ? (
        <div className="card success" role="status">
          {fellBack && <p>{t("pay.fellBack")}</p>}
          <p>{done === "card" && b.paymentStatus !== "paid" ? t("pay.cardPending") : t("pay.done", { code: b.confirmationCode })}</p>
          <p className="actions">
            <Link to="/profile" className="button primary">
              {t("pay.toBookings")}
            </Link>
            <Link to={`/bookings/${encodeURIComponent(b.id)}/voucher`} className="button secondary">
              {t("pay.voucher")}
            </Link>
          </p>
        </div>
      ) : card ? (
        <CardPayment
          clientSecret={card.clientSecret}
          publishableKey={card.publishableKey}
          onPaid={() => {
            setCard(null);
            setDone("card");
            booking.reload();
          }}
        />
      ) : (
        <form className="card" onSubmit={pay}>
          <p>{t("pay.intro", { code: b.confirmationCode, amount: formatMoney(b.totalPrice.amount, b.totalPrice.currency, language) })}</p>
          <fieldset className="methods">
            <legend className="sr-only">{t("pay.title")}</legend>
            {(["card", "cash"] as const).map((m) => (
              <label key={m} className={`method${method === m ? " chosen" : ""}`}>
                <input type="radio" name="method" value={m} checked={method === m} onChange={() => setMethod(m)} />
                <span>
                  <strong>{t(`pay.${m}`)}</strong>
                  <br />
                  <span className="muted">{t(m === "card" ? "pay.cardNote" : "pay.cashNote")}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {error && <ErrorMessage error={error} />}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t("pay.paying") : t("pay.submit")}
          </button>
        </form>
      )}
    </Page>
  );
}
