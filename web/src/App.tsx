import { lazy, Suspense, useEffect, useRef, type ReactNode } from "react";
import type { CurrencyCode, Kind } from "./api/types";
import { Icon } from "./components/Icon";
import { Loading } from "./components/ui";
import { Link, match, navigate, useLocation } from "./router";
import { CURRENCIES, useApp } from "./state/app";

const Home = lazy(() => import("./screens/Home"));
const Catalog = lazy(() => import("./screens/Catalog"));
const Detail = lazy(() => import("./screens/Detail"));
const Payment = lazy(() => import("./screens/Payment"));
const Profile = lazy(() => import("./screens/Profile"));
const Voucher = lazy(() => import("./screens/Voucher"));
const Currency = lazy(() => import("./screens/Currency"));
const Assistant = lazy(() => import("./screens/Assistant"));
const Auth = lazy(() => import("./screens/Auth"));
const Search = lazy(() => import("./screens/Search"));
const PasswordReset = lazy(() => import("./screens/PasswordReset"));

const SECTIONS: [string, Kind][] = [
  ["transport", "vehicles"],
  ["accommodation", "properties"],
  ["tours", "tours"],
];

function RequireUser({ children }: { children: ReactNode }) {
  const { user } = useApp();
  const { path } = useLocation();
  useEffect(() => {
    if (!user) navigate(`/login?next=${encodeURIComponent(path)}`, { replace: true });
  }, [user, path]);
  return user ? <>{children}</> : null;
}

function Screen({ path }: { path: string }) {
  if (path === "/") return <Home />;
  for (const [section, kind] of SECTIONS) {
    if (path === `/${section}` || path === `/${section}/`) return <Catalog key={kind} kind={kind} />;
    const params = match(`/${section}/:id`, path);
    if (params?.id) return <Detail kind={kind} id={params.id} />;
  }
  let params = match("/bookings/:id/pay", path);
  if (params?.id) return <RequireUser><Payment id={params.id} /></RequireUser>;
  params = match("/bookings/:id/voucher", path);
  if (params?.id) return <Voucher id={params.id} />;
  if (match("/profile", path)) return <RequireUser><Profile /></RequireUser>;
  if (match("/currency", path)) return <Currency />;
  if (match("/assistant", path)) return <Assistant />;
  if (match("/login", path)) return <Auth key="login" mode="login" />;
  if (match("/register", path)) return <Auth key="register" mode="register" />;
  if (match("/search", path)) return <Search />;
  if (match("/forgot-password", path)) return <PasswordReset key="forgot" mode="forgot" />;
  if (match("/reset-password", path)) return <PasswordReset key="reset" mode="reset" />;
  return <Home />;
}

const NAV = [
  ["/", "home", "nav.home"],
  ["/transport", "scooter", "nav.transport"],
  ["/accommodation", "stay", "nav.accommodation"],
  ["/tours", "boat", "nav.tours"],
  ["/assistant", "chat", "nav.assistant"],
  ["/profile", "user", "nav.profile"],
] as const;

export function App() {
  const { t, language, setLanguage, currency, setCurrency, user, logout } = useApp();
  const { path } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    // Move focus to the new screen's heading, so keyboard and screen-reader users land on it.
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => document.getElementById("page-title")?.focus(), 50);
    return () => clearTimeout(timer);
  }, [path]);
  const current = (to: string) => (to === "/" ? path === "/" : path.startsWith(to)) ? "page" : undefined;
  return (
    <>
      <a href="#main" className="skip">
        {t("app.skip")}
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label={t("app.name")}>
          <img src="/icon.svg" alt="" width={28} height={28} /> <span>{t("app.name")}</span>
        </Link>
        <nav aria-label={t("nav.main")} className="topnav">
          {NAV.slice(1).map(([to, , key]) => (
            <Link key={to} to={to} aria-current={current(to)}>
              {t(key)}
            </Link>
          ))}
          <Link to="/currency" aria-current={current("/currency")}>
            {t("nav.currency")}
          </Link>
        </nav>
        <div className="prefs">
          <div role="group" aria-label={t("prefs.language")} className="lang">
            {(["en", "ru"] as const).map((l) => (
              <button key={l} type="button" aria-pressed={language === l} lang={l} onClick={() => setLanguage(l)}>
                {l.toUpperCase()}
              </button>
            ))}
          </div>
          <label className="currency-pick">
            <span className="sr-only">{t("prefs.currency")}</span>
            <select value={currency} onChange={(e) => setCurrency(e.target.value as CurrencyCode)} title={t("prefs.currency")}>
              {CURRENCIES.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          {user ? (
            <button type="button" className="link" onClick={() => void logout().then(() => navigate("/"))}>
              {t("nav.logout")}
            </button>
          ) : (
            <Link to="/login" className="link">
              {t("nav.login")}
            </Link>
          )}
        </div>
      </header>
      <main id="main">
        <Suspense fallback={<Loading />}>
          <Screen path={path} />
        </Suspense>
      </main>
      <nav aria-label={t("nav.main")} className="tabbar">
        {NAV.map(([to, icon, key]) => (
          <Link key={to} to={to} aria-current={current(to)}>
            <Icon name={icon} />
            <span>{t(key)}</span>
          </Link>
        ))}
      </nav>
    </>
  );
}
