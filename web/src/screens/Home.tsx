import { useState, type FormEvent } from "react";
import { api, call } from "../api/client";
import type { Weather } from "../api/types";
import { BookingDates } from "../components/BookingSummary";
import { Icon, type IconName } from "../components/Icon";
import { ErrorMessage, Loading, StatusBadge } from "../components/ui";
import { formatDate, formatDateTime, todayInPhuket } from "../format";
import { useAsync } from "../hooks";
import { Link, navigate } from "../router";
import { useApp } from "../state/app";

const ICON: Record<string, IconName> = { clear: "sun", clouds: "cloud", rain: "rain", drizzle: "rain", thunderstorm: "storm" };
const icon = (condition: string | null) => ICON[condition ?? ""] ?? "cloud";

function WeatherCard() {
  const { t, language } = useApp();
  const weather = useAsync(() => call(api.GET("/v1/weather")), [language]);
  return (
    <section className="card weather" aria-labelledby="weather-title">
      <h2 id="weather-title">{t("weather.title")}</h2>
      {weather.loading && !weather.data && <Loading />}
      {weather.error && <ErrorMessage error={weather.error} onRetry={weather.reload} />}
      {weather.data && <WeatherBody w={weather.data} />}
    </section>
  );
  function WeatherBody({ w }: { w: Weather }) {
    const risk = w.seaRisk.level;
    return (
      <>
        {w.current ? (
          <p className="weather-now">
            <Icon name={icon(w.current.condition)} size={40} className="weather-icon" />
            <span className="big">{Math.round(w.current.temperatureC)}°C</span>
            <span className="muted">
              {w.current.feelsLikeC != null && t("weather.feels", { t: `${Math.round(w.current.feelsLikeC)}°` })} ·{" "}
              {t("weather.wind", { v: w.current.windSpeedMs.toFixed(1) })}
            </span>
          </p>
        ) : (
          <p className="muted">
            {t("weather.normals")}: {Math.round(w.climate.avgLowC)}–{Math.round(w.climate.avgHighC)}°C. {w.climate.summary}
          </p>
        )}
        <p className={`sea-risk sea-${risk}`} data-testid="sea-risk">
          <Icon name="wave" size={20} /> {t(`weather.sea.${risk}`)}
        </p>
        <ol className="forecast" aria-label={t("weather.forecast")}>
          {w.forecast.slice(0, 5).map((d) => (
            <li key={d.date}>
              <span>{formatDate(d.date, language, { weekday: "short", day: "numeric", month: undefined, year: undefined })}</span>
              <Icon name={icon(d.condition)} size={22} />
              <span>
                {Math.round(d.maxC)}° / {Math.round(d.minC)}°
              </span>
              <span className={`dot sea-${d.seaRisk.level}`} title={t(`weather.sea.${d.seaRisk.level}`)} aria-label={t(`weather.sea.${d.seaRisk.level}`)} />
            </li>
          ))}
        </ol>
        <p className="muted small">{t("weather.source", { source: w.source, time: formatDateTime(w.updatedAt, language) })}</p>
      </>
    );
  }
}

function Upcoming() {
  const { t, user, language } = useApp();
  const bookings = useAsync(
    () => (user ? call(api.GET("/v1/bookings", { params: { query: { per_page: 50 } } })) : Promise.resolve([])),
    [user?.id, language],
  );
  const today = todayInPhuket();
  const next = (bookings.data ?? [])
    .filter((b) => (b.status === "confirmed" || b.status === "pending") && (b.endDate ?? b.startDate) >= today)
    .sort((a, b) => a.startDate.localeCompare(b.startDate))[0];
  return (
    <section className="card" aria-labelledby="upcoming-title">
      <h2 id="upcoming-title">{t("home.upcoming")}</h2>
      {!user && (
        <p>
          <Link to="/login?next=/">{t("home.signInForBookings")}</Link>
        </p>
      )}
      {user && bookings.loading && <Loading />}
      {user && bookings.error && <ErrorMessage error={bookings.error} onRetry={bookings.reload} />}
      {user && bookings.data && !next && <p className="muted">{t("home.noUpcoming")}</p>}
      {next && (
        <Link to={`/bookings/${encodeURIComponent(next.id)}/voucher`} className="upcoming">
          <strong>{next.item?.name ?? next.itemType}</strong> <StatusBadge status={next.status} />
          <br />
          <span className="muted">
            <BookingDates booking={next} /> · {next.confirmationCode}
          </span>
        </Link>
      )}
    </section>
  );
}

export default function Home() {
  const { t } = useApp();
  const [q, setQ] = useState("");
  const search = (event: FormEvent) => {
    event.preventDefault();
    if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };
  const links = [
    ["/transport", "scooter", "nav.transport"],
    ["/accommodation", "stay", "nav.accommodation"],
    ["/tours", "boat", "nav.tours"],
    ["/currency", "currency", "nav.currency"],
    ["/assistant", "chat", "nav.assistant"],
  ] as const;
  return (
    <section className="page home" aria-labelledby="page-title">
      <div className="hero">
        <h1 id="page-title" tabIndex={-1}>
          {t("home.title")}
        </h1>
        <p>{t("home.subtitle")}</p>
        <form role="search" className="filters" onSubmit={search}>
          <label className="grow">
            <span className="sr-only">{t("home.search")}</span>
            <input type="search" placeholder={t("home.search")} value={q} onChange={(e) => setQ(e.target.value)} />
          </label>
          <button type="submit" className="primary">
            {t("common.search")}
          </button>
        </form>
      </div>
      <nav aria-label={t("home.quick")} className="quick">
        {links.map(([to, icon, key]) => (
          <Link key={to} to={to} className="quick-link">
            <Icon name={icon} size={28} />
            {t(key)}
          </Link>
        ))}
      </nav>
      <div className="home-grid">
        <WeatherCard />
        <Upcoming />
      </div>
    </section>
  );
}
