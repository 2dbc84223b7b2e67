import { useEffect, useState } from "react";
import { api, call } from "../api/client";
import { ApiError } from "../api/errors";
import type { Booking } from "../api/types";
import { BookingSummary } from "../components/BookingSummary";
import { QrCode } from "../components/QrCode";
import { ErrorMessage, Loading, Page } from "../components/ui";
import { useApp } from "../state/app";
import { saveVoucher, savedVoucher } from "../state/vouchers";

/** The voucher: fresh from the server when online, else the copy saved on this device. */
export default function Voucher({ id }: { id: string }) {
  const { t, language } = useApp();
  const [booking, setBooking] = useState<Booking | null>(() => savedVoucher(id));
  const [offline, setOffline] = useState(false);
  const [saved, setSaved] = useState(() => savedVoucher(id) !== null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    call(api.GET("/v1/bookings/{booking_id}", { params: { path: { booking_id: id } } }))
      .then((b) => {
        if (!live) return;
        setBooking(b);
        setSaved(saveVoucher(b));
        setOffline(false);
      })
      .catch((e: unknown) => {
        if (!live) return;
        const apiError = e instanceof ApiError ? e : new ApiError(0, "UNKNOWN_ERROR", "");
        if (apiError.code === "NETWORK_ERROR" && savedVoucher(id)) setOffline(true);
        else setError(apiError);
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [id, language]);

  if (!booking) {
    return (
      <Page title={t("voucher.title")}>
        {loading && <Loading />}
        {error && <ErrorMessage error={error} />}
      </Page>
    );
  }
  return (
    <Page title={t("voucher.title")}>
      {offline && (
        <p className="notice" role="status">
          {t("common.offline")}
        </p>
      )}
      <article className="card voucher" aria-label={t("voucher.title")}>
        <h2>{booking.item?.name ?? booking.itemType}</h2>
        <p className="voucher-code" data-testid="confirmation-code">
          {booking.confirmationCode}
        </p>
        <QrCode text={`PHUKET:${booking.confirmationCode}:${booking.id}`} label={`${t("booking.code")}: ${booking.confirmationCode}`} />
        <p className="muted">{t("voucher.scan")}</p>
        <BookingSummary booking={booking} />
        <p className="muted small">{saved ? t("voucher.savedOffline") : t("voucher.notSaved")}</p>
        <button type="button" className="secondary no-print" onClick={() => print()}>
          {t("voucher.print")}
        </button>
      </article>
    </Page>
  );
}
