import { useState, type ReactNode } from "react";
import { api, call } from "../api/client";
import type { Item, Kind, Property, Tour, Vehicle } from "../api/types";
import { BookingForm } from "../components/BookingForm";
import { AvailabilityCalendar } from "../components/Calendar";
import { Photo } from "../components/ItemCard";
import { Icon } from "../components/Icon";
import { ErrorMessage, Loading, Page, Price } from "../components/ui";
import { todayInPhuket, formatMoney } from "../format";
import { useAsync } from "../hooks";
import { hasKey, type MessageKey, type Translate } from "../i18n";
import { Link, navigate } from "../router";
import { useApp } from "../state/app";

function load(kind: Kind, id: string): Promise<Item> {
  const path = { item_id: id };
  if (kind === "vehicles") return call(api.GET("/v1/vehicles/{item_id}", { params: { path } }));
  if (kind === "properties") return call(api.GET("/v1/properties/{item_id}", { params: { path } }));
  return call(api.GET("/v1/tours/{item_id}", { params: { path } }));
}

const LIST: Record<Kind, { path: string; title: MessageKey }> = {
  vehicles: { path: "/transport", title: "transport.title" },
  properties: { path: "/accommodation", title: "accommodation.title" },
  tours: { path: "/tours", title: "tours.title" },
};

type Row = [MessageKey, ReactNode];

function facts(item: Item, t: Translate, money: (amount: string) => string): Row[] {
  const yes = (v: boolean) => (v ? t("common.yes") : t("common.no"));
  if (item.itemType === "vehicle") {
    const v = item as Vehicle;
    return [
      ["facts.brand", `${v.brand} ${v.model}`],
      ["facts.year", v.year ?? "—"],
      ["facts.engine", v.engineCc ? `${v.engineCc} cc` : "—"],
      ["facts.seats", v.seats],
      ["facts.transmission", v.transmission],
      ["facts.licence", v.licenceRequired],
      ["facts.helmet", yes(v.helmetIncluded)],
      ["facts.insurance", yes(v.insuranceIncluded)],
      ["facts.deposit", money(v.deposit.amount)],
      ["facts.rentalDays", t("facts.range", { min: v.minDays, max: v.maxDays })],
      ["facts.area", v.area],
    ];
  }
  if (item.itemType === "property") {
    const p = item as Property;
    return [
      ["facts.type", p.type],
      ["facts.address", p.address],
      ["facts.bedrooms", p.bedrooms],
      ["facts.bathrooms", p.bathrooms],
      ["facts.maxGuests", p.maxGuests],
      ["facts.checkInOut", `${p.checkInTime} / ${p.checkOutTime}`],
      ["facts.nights", t("facts.range", { min: p.minNights, max: p.maxNights })],
      ["facts.cleaning", money(p.cleaningFee.amount)],
      ["facts.deposit", money(p.deposit.amount)],
      ["facts.amenities", p.amenities.join(", ")],
    ];
  }
  const tour = item as Tour;
  return [
    ["facts.duration", t("facts.hours", { n: tour.durationHours })],
    ["facts.startTime", tour.startTime],
    ["facts.meetingPoint", tour.meetingPoint],
    ["facts.pickup", tour.pickupAreas.join(", ") || "—"],
    ["facts.languages", tour.languages.join(", ").toUpperCase()],
    ["facts.byBoat", yes(tour.byBoat)],
    ["facts.childPrice", money(tour.childPrice.amount)],
    ["facts.minAge", tour.minAge || "—"],
  ];
}

export default function Detail({ kind, id }: { kind: Kind; id: string }) {
  const { t, language } = useApp();
  const item = useAsync(() => load(kind, id), [kind, id, language]);
  const [start, setStart] = useState(todayInPhuket());
  const list = LIST[kind];
  const back = (
    <Link to={list.path} className="back">
      ‹ {t(list.title)}
    </Link>
  );
  if (item.loading && !item.data) return <Page title={t("common.loading")} actions={back}><Loading /></Page>;
  if (!item.data) return <Page title={t(list.title)} actions={back}>{item.error && <ErrorMessage error={item.error} onRetry={item.reload} />}</Page>;
  const data = item.data;
  const money = (amount: string) => formatMoney(amount, "THB", language);
  const tour = data.itemType === "tour" ? (data as Tour) : null;
  const maxGuests = data.itemType === "property" ? (data as Property).maxGuests : data.itemType === "vehicle" ? (data as Vehicle).seats : (data as Tour).maxGuestsPerBooking;
  return (
    <Page title={data.name} actions={back}>
      <div className="detail">
        <div className="detail-main">
          <div className="gallery" aria-label={t("detail.photos")}>
            {(data.images.length ? data.images : [null]).map((src, i) => (
              <Photo key={src ?? i} src={src} alt={`${data.name} (${i + 1})`} kind={kind} className="gallery-photo" />
            ))}
          </div>
          <p className="price-line">
            <Price money={data.price} unit={data.priceUnit} strong /> <span className="rating">★ {data.rating.toFixed(1)}</span>{" "}
            <span className="muted">{t("item.reviews", { n: data.reviewsCount })}</span>
          </p>
          <p className="muted">
            {data.bookingRules.instantConfirmation ? t("detail.instant") : t("detail.onRequest")} ·{" "}
            {t("detail.cancellation", { h: data.bookingRules.freeCancellationHours, pct: data.bookingRules.lateCancellationRefundPct })}
          </p>
          {tour?.byBoat && <p className="notice"><Icon name="wave" size={20} /> {t("detail.seaRiskTour")}</p>}
          <h2>{t("detail.about")}</h2>
          <p>{data.description}</p>
          {tour && tour.highlights.length > 0 && (
            <ul>
              {tour.highlights.map((h) => (
                <li key={h}>{h}</li>
              ))}
            </ul>
          )}
          <h2>{t("detail.facts")}</h2>
          <dl className="facts">
            {facts(data, t, money).map(([key, value]) => (
              <div key={key}>
                <dt>{hasKey(key) ? t(key) : key}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <h2>{t("detail.availability")}</h2>
          <AvailabilityCalendar kind={kind} itemId={data.id} onPick={setStart} selected={start} />
        </div>
        <aside className="detail-side">
          <BookingForm
            item={{ id: data.id, itemType: data.itemType, maxGuests }}
            start={start}
            onStartChange={setStart}
            onBooked={(booking) => navigate(`/bookings/${encodeURIComponent(booking.id)}/pay`)}
          />
        </aside>
      </div>
    </Page>
  );
}
