import type { ReactNode } from "react";
import type { ApiError } from "../api/errors";
import type { Money } from "../api/types";
import { approximate, formatMoney } from "../format";
import { hasKey } from "../i18n";
import { useApp } from "../state/app";

export function Loading({ label }: { label?: string }) {
  const { t } = useApp();
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label ?? t("common.loading")}
    </p>
  );
}

/** An API error in the user's language, from its `code`; never the raw body. */
export function ErrorMessage({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { t } = useApp();
  const key = `errors.${error.code}`;
  return (
    <div className="error" role="alert">
      <p>{hasKey(key) ? t(key) : t("errors.UNKNOWN_ERROR")}</p>
      {error.code === "VALIDATION_ERROR" && error.details.length > 0 && (
        <ul>
          {error.details.map((d) => (
            <li key={d.field + d.message}>{d.message}</li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" className="secondary" onClick={onRetry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}

/** A THB price with its approximate value in the chosen currency. */
export function Price({ money, unit, strong }: { money: Money; unit?: "day" | "night" | "person"; strong?: boolean }) {
  const { language, currency, rates, t } = useApp();
  const approx = approximate(money.amount, currency, rates?.rates);
  return (
    <span className="price">
      <span className={strong ? "price-main strong" : "price-main"}>{formatMoney(money.amount, money.currency, language)}</span>
      {unit && <span className="price-unit"> {t(`unit.${unit}`)}</span>}
      {approx !== null && (
        <span className="price-approx"> · {t("price.approx", { amount: formatMoney(Math.round(approx * 100) / 100, currency, language) })}</span>
      )}
    </span>
  );
}

export function Page({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useApp();
  const key = `status.${status}`;
  return <span className={`badge badge-${status}`}>{hasKey(key) ? t(key) : status}</span>;
}
