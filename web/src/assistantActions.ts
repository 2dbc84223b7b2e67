/** Where a suggested action of the assistant (SuggestedAction in openapi.json) leads in the app. */
import type { ChatAction } from "./api/types";

const ITEM_ROUTE = { vehicle: "/transport", property: "/accommodation", tour: "/tours" } as const;
const CATEGORY_ROUTE = { vehicles: "/transport", properties: "/accommodation", tours: "/tours" } as const;

export interface ActionTarget {
  to: string;
  label: string;
}

function withQuery(path: string, params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") if (value !== "") q.set(key, String(value));
  }
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

export function actionTarget(action: ChatAction): ActionTarget | null {
  const label = action.label;
  switch (action.type) {
    case "open_item":
    case "start_booking":
      if (!action.itemType || !action.itemId) return null;
      return { to: `${ITEM_ROUTE[action.itemType]}/${encodeURIComponent(action.itemId)}`, label };
    case "search":
      return action.query ? { to: withQuery("/search", { q: action.query }), label } : null;
    case "browse":
      if (!action.category) return null;
      return { to: withQuery(CATEGORY_ROUTE[action.category], action.filter ?? {}), label };
    case "open_converter":
      return { to: withQuery("/currency", { amount: action.amount ?? "", from: action.from ?? "", to: action.to ?? "" }), label };
    case "open_weather":
      return { to: "/", label };
    default:
      return null;
  }
}
