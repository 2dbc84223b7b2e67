import { api, call } from "../api/client";
import { KIND_OF_ITEM_TYPE } from "../api/types";
import { ItemCard } from "../components/ItemCard";
import { ErrorMessage, Loading, Page } from "../components/ui";
import { useAsync } from "../hooks";
import { useLocation } from "../router";
import { useApp } from "../state/app";

export default function Search() {
  const { t, language } = useApp();
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const hits = useAsync(() => (q ? call(api.GET("/v1/search", { params: { query: { q, per_page: 30 } } })) : Promise.resolve([])), [q, language]);
  return (
    <Page title={`${t("common.search")}: ${q}`}>
      {hits.loading && <Loading />}
      {hits.error && <ErrorMessage error={hits.error} onRetry={hits.reload} />}
      {hits.data && hits.data.length === 0 && !hits.loading && <p className="muted">{t("common.noResults")}</p>}
      <ul className="grid">
        {(hits.data ?? []).map((hit) => (
          <ItemCard key={`${hit.itemType}-${hit.id}`} kind={KIND_OF_ITEM_TYPE[hit.itemType]} item={{ ...hit, image: hit.image }} />
        ))}
      </ul>
    </Page>
  );
}
