import { useEffect, useState, type FormEvent } from "react";
import { api, callWithResponse } from "../api/client";
import { ApiError } from "../api/errors";
import type { Kind } from "../api/types";
import { ItemCard, type CardItem } from "../components/ItemCard";
import { ErrorMessage, Loading, Page } from "../components/ui";
import { hasKey, type MessageKey } from "../i18n";
import { navigate, useLocation } from "../router";
import { useApp } from "../state/app";

export const VEHICLE_TYPES = ["scooter", "motorbike", "car", "bicycle", "boat"] as const;
export const AREAS = ["Patong", "Kata", "Karon", "Kamala", "Bang Tao", "Surin", "Rawai", "Nai Harn", "Chalong", "Phuket Town"];
export const CATEGORIES = ["islands", "sightseeing", "adventure", "culture", "food", "diving", "nature", "show", "wellness"] as const;
const SORTS = ["rating", "price", "-price", "name"] as const;
const PER_PAGE = 12;

const TITLES: Record<Kind, MessageKey> = { vehicles: "transport.title", properties: "accommodation.title", tours: "tours.title" };
const BASE: Record<Kind, string> = { vehicles: "/transport", properties: "/accommodation", tours: "/tours" };

type Filters = Record<string, string>;

async function fetchPage(kind: Kind, f: Filters, page: number): Promise<{ items: CardItem[]; pages: number }> {
  const common = {
    q: f.q || undefined,
    sort: (f.sort || undefined) as (typeof SORTS)[number] | undefined,
    min_price: f.min_price || undefined,
    max_price: f.max_price || undefined,
    page,
    per_page: PER_PAGE,
  };
  let result;
  if (kind === "vehicles") {
    const type = (VEHICLE_TYPES as readonly string[]).includes(f.type ?? "") ? (f.type as (typeof VEHICLE_TYPES)[number]) : undefined;
    result = await callWithResponse(api.GET("/v1/vehicles", { params: { query: { ...common, type } } }));
  } else if (kind === "properties") {
    result = await callWithResponse(
      api.GET("/v1/properties", {
        params: { query: { ...common, area: f.area || undefined, guests: f.guests ? Number(f.guests) : undefined, bedrooms: f.bedrooms ? Number(f.bedrooms) : undefined } },
      }),
    );
  } else {
    const category = (CATEGORIES as readonly string[]).includes(f.category ?? "") ? (f.category as (typeof CATEGORIES)[number]) : undefined;
    result = await callWithResponse(api.GET("/v1/tours", { params: { query: { ...common, category, date: f.date || undefined } } }));
  }
  const pages = Number(result.response.headers.get("X-Total-Pages") ?? "1") || 1;
  const items: CardItem[] = result.data.map((item) => ({
    id: item.id,
    name: item.name,
    area: item.area,
    rating: item.rating,
    price: item.price,
    priceUnit: item.priceUnit,
    image: item.images[0] ?? null,
  }));
  return { items, pages };
}

export default function Catalog({ kind }: { kind: Kind }) {
  const { t, language } = useApp();
  const { query } = useLocation();
  const filters: Filters = Object.fromEntries(query.entries());
  const key = JSON.stringify(filters) + language;
  const [state, setState] = useState<{ key: string; items: CardItem[]; page: number; pages: number; loading: boolean; error: ApiError | null }>({
    key: "",
    items: [],
    page: 0,
    pages: 1,
    loading: true,
    error: null,
  });
  const [text, setText] = useState(filters.q ?? "");

  const load = (page: number) => {
    setState((s) => ({ ...s, loading: true, error: null, ...(page === 1 ? { items: [], key } : {}) }));
    fetchPage(kind, filters, page)
      .then(({ items, pages }) =>
        setState((s) => (s.key !== key ? s : { key, items: page === 1 ? items : [...s.items, ...items], page, pages, loading: false, error: null })),
      )
      .catch((error: unknown) =>
        setState((s) => ({ ...s, loading: false, error: error instanceof ApiError ? error : new ApiError(0, "UNKNOWN_ERROR", "") })),
      );
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => load(1), [key, kind]);

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value);
    else next.delete(name);
    navigate(`${BASE[kind]}${next.size ? `?${next}` : ""}`, { replace: true });
  };
  const search = (event: FormEvent) => {
    event.preventDefault();
    setFilter("q", text.trim());
  };

  return (
    <Page title={t(TITLES[kind])}>
      <form className="filters" role="search" onSubmit={search}>
        <label className="grow">
          <span className="sr-only">{t("common.search")}</span>
          <input type="search" name="q" placeholder={t("common.searchPlaceholder")} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          {t("common.search")}
        </button>
      </form>
      {kind === "vehicles" && (
        <div className="chips" role="group" aria-label={t("filter.type")}>
          <button type="button" className="chip" aria-pressed={!filters.type} onClick={() => setFilter("type", "")}>
            {t("common.any")}
          </button>
          {VEHICLE_TYPES.map((type) => (
            <button key={type} type="button" className="chip" aria-pressed={filters.type === type} onClick={() => setFilter("type", type)}>
              {t(`vehicle.${type}`)}
            </button>
          ))}
        </div>
      )}
      {kind === "tours" && (
        <div className="chips" role="group" aria-label={t("filter.category")}>
          <button type="button" className="chip" aria-pressed={!filters.category} onClick={() => setFilter("category", "")}>
            {t("common.any")}
          </button>
          {CATEGORIES.map((c) => (
            <button key={c} type="button" className="chip" aria-pressed={filters.category === c} onClick={() => setFilter("category", c)}>
              {t(`category.${c}`)}
            </button>
          ))}
        </div>
      )}
      <div className="filters">
        {kind === "properties" && (
          <>
            <label>
              {t("filter.area")}
              <select value={filters.area ?? ""} onChange={(e) => setFilter("area", e.target.value)}>
                <option value="">{t("common.any")}</option>
                {AREAS.map((a) => (
                  <option key={a}>{a}</option>
                ))}
              </select>
            </label>
            <label>
              {t("filter.guests")}
              <input type="number" min={1} max={30} inputMode="numeric" value={filters.guests ?? ""} onChange={(e) => setFilter("guests", e.target.value)} />
            </label>
            <label>
              {t("filter.bedrooms")}
              <input type="number" min={0} max={20} inputMode="numeric" value={filters.bedrooms ?? ""} onChange={(e) => setFilter("bedrooms", e.target.value)} />
            </label>
          </>
        )}
        {kind === "tours" && (
          <label>
            {t("filter.date")}
            <input type="date" value={filters.date ?? ""} onChange={(e) => setFilter("date", e.target.value)} />
          </label>
        )}
        <label>
          {t("filter.minPrice")}
          <input type="number" min={0} inputMode="numeric" value={filters.min_price ?? ""} onChange={(e) => setFilter("min_price", e.target.value)} />
        </label>
        <label>
          {t("filter.maxPrice")}
          <input type="number" min={0} inputMode="numeric" value={filters.max_price ?? ""} onChange={(e) => setFilter("max_price", e.target.value)} />
        </label>
        <label>
          {t("common.sort")}
          <select value={filters.sort ?? ""} onChange={(e) => setFilter("sort", e.target.value)}>
            <option value="">{filters.q ? t("sort.relevance") : t("sort.rating")}</option>
            {SORTS.filter((s) => s !== "rating").map((s) => (
              <option key={s} value={s}>
                {hasKey(`sort.${s}`) ? t(`sort.${s}` as MessageKey) : s}
              </option>
            ))}
          </select>
        </label>
      </div>
      {state.error && <ErrorMessage error={state.error} onRetry={() => load(state.page + 1 || 1)} />}
      {state.items.length > 0 && (
        <ul className="grid" aria-busy={state.loading}>
          {state.items.map((item) => (
            <ItemCard key={item.id} item={item} kind={kind} />
          ))}
        </ul>
      )}
      {state.loading && <Loading />}
      {!state.loading && !state.error && state.items.length === 0 && <p className="muted">{t("common.noResults")}</p>}
      {!state.loading && state.page < state.pages && state.items.length > 0 && (
        <button type="button" className="secondary wide" onClick={() => load(state.page + 1)}>
          {t("common.loadMore")}
        </button>
      )}
    </Page>
  );
}
