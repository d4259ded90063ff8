/** What caused a delivery attempt. */
/** `recovery`: what an endpoint owed, or failed, during an incident, delivered when it came back. */
export const DELIVERY_TRIGGERS = ['automatic', 'manual', 'bulk', 'scheduled', 'recovery'] as const;
export type DeliveryTrigger = (typeof DELIVERY_TRIGGERS)[number];

/** How an attempt ended, as recorded on its audit row. */
export const DELIVERY_OUTCOMES = ['success', 'http_error', 'timeout', 'network_error', 'blocked'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export const URL_SOURCES = ['configured', 'override'] as const;
export type UrlSource = (typeof URL_SOURCES)[number];

/** Four attempts in all: the first delivery and three automatic retries (SPEC 1). */
export const MAX_DELIVERY_ATTEMPTS = 4;
