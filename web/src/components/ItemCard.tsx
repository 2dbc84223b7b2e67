import { useState } from "react";
import type { Money } from "../api/types";
import { Link } from "../router";
import { useApp } from "../state/app";
import { Icon } from "./Icon";
import { Price } from "./ui";

export interface CardItem {
  id: string;
  name: string;
  area: string;
  rating: number;
  price: Money;
  priceUnit: "day" | "night" | "person";
  image?: string | null;
  subtitle?: string;
}

const EMOJI = { vehicles: "scooter", properties: "stay", tours: "boat" } as const;

export function Photo({ src, alt, kind, className }: { src?: string | null; alt: string; kind: keyof typeof EMOJI; className?: string }) {
  const [failed, setFailed] = useState(false);
  if (!src || failed) {
    return (
      <div className={`photo placeholder ${className ?? ""}`} role="img" aria-label={alt}>
        <Icon name={EMOJI[kind]} size={56} />
      </div>
    );
  }
  return <img className={`photo ${className ?? ""}`} src={src} alt={alt} loading="lazy" decoding="async" onError={() => setFailed(true)} />;
}

export function ItemCard({ item, kind }: { item: CardItem; kind: keyof typeof EMOJI }) {
  const { t } = useApp();
  return (
    <li className="item-card">
      <Link to={`/${kind === "vehicles" ? "transport" : kind === "properties" ? "accommodation" : "tours"}/${encodeURIComponent(item.id)}`}>
        <Photo src={item.image} alt={item.name} kind={kind} />
        <div className="item-body">
          <h3>{item.name}</h3>
          <p className="muted">
            {item.area}
            {item.subtitle ? ` · ${item.subtitle}` : ""}
          </p>
          <p className="rating" aria-label={`${item.rating} / 5`}>
            ★ {item.rating.toFixed(1)}
          </p>
          <Price money={item.price} unit={item.priceUnit} />
        </div>
      </Link>
      <span className="sr-only">{t(`unit.${item.priceUnit}`)}</span>
    </li>
  );
}
