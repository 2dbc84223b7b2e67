import type { Booking } from "../api/types";
import { formatDate } from "../format";
import { hasKey } from "../i18n";
import { useApp } from "../state/app";
import { Price, StatusBadge } from "./ui";

export function BookingDates({ booking }: { booking: Booking }) {
  const { language } = useApp();
  const single = booking.itemType === "tour" || booking.endDate === booking.startDate;
  return (
    <>
      {formatDate(booking.startDate, language)}
      {!single && ` – ${formatDate(booking.endDate, language)}`}
    </>
  );
}

export function BookingSummary({ booking }: { booking: Booking }) {
  const { t } = useApp();
  const payKey = `paymentStatus.${booking.paymentStatus}`;
  return (
    <dl className="facts compact">
      <div>
        <dt>{t("booking.code")}</dt>
        <dd className="code">{booking.confirmationCode}</dd>
      </div>
      <div>
        <dt>{t("booking.dates")}</dt>
        <dd>
          <BookingDates booking={booking} />
        </dd>
      </div>
      <div>
        <dt>{t("booking.guests")}</dt>
        <dd>{booking.guestsCount}</dd>
      </div>
      <div>
        <dt>{t("booking.total")}</dt>
        <dd>
          <Price money={booking.totalPrice} />
        </dd>
      </div>
      <div>
        <dt>{t("booking.status")}</dt>
        <dd>
          <StatusBadge status={booking.status} /> <span className="muted">{hasKey(payKey) ? t(payKey) : booking.paymentStatus}</span>
        </dd>
      </div>
    </dl>
  );
}
