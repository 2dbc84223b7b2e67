/** Names for the shapes the screens use, read from the API's paths (generated or pending). */
import type { DataOf } from "./client";
import type { components } from "./schema";

export type Money = components["schemas"]["Money"];
export type Vehicle = DataOf<"/v1/vehicles/{item_id}", "get">;
export type Property = DataOf<"/v1/properties/{item_id}", "get">;
export type Tour = DataOf<"/v1/tours/{item_id}", "get">;
export type Item = Vehicle | Property | Tour;
export type SearchHit = DataOf<"/v1/search", "get">[number];
export type Booking = DataOf<"/v1/bookings/{booking_id}", "get">;
export type Quote = DataOf<"/v1/bookings/quote", "post">;
export type AvailabilityDay = DataOf<"/v1/vehicles/{item_id}/availability", "get">[number];
export type Rates = DataOf<"/v1/currency/rates", "get">;
export type Conversion = DataOf<"/v1/currency/convert", "get">;
export type Weather = DataOf<"/v1/weather", "get">;
export type ChatReply = DataOf<"/v1/ai/chat", "post">;
export type ChatAction = ChatReply["suggestedActions"][number];
export type CurrencyCode = components["schemas"]["UserUpdate"]["currency"] & string;

export type Kind = "vehicles" | "properties" | "tours";
export const KIND_OF_ITEM_TYPE = { vehicle: "vehicles", property: "properties", tour: "tours" } as const;
