/**
 * What every route handler is given: the app's shared state (`c.var.app`, built once in
 * app.ts), the device or console session that middleware found, and small helpers that turn
 * the query string into values. Handlers take it from Hono's context, so that each one is a
 * plain `(c) => Response` in the route table (routes.ts).
 */
import type { Context } from 'hono';
import * as z from 'zod/mini';
import type { Endpoint } from '../../src/shared/api/endpoint.ts';
import type { HttpBindings } from '@hono/node-server';
import type { Campaign } from '../../src/shared/campaign.ts';
import type { BodyLimits } from '../http-body.ts';
import type { RateLimiter } from '../rate-limit.ts';
import type { TrustedProxies } from '../client-address.ts';
import type { Device, Session, Store, Totals } from '../store/store.ts';
import type { LiveSignals } from '../console/live.ts';
import type { SnapshotSource } from '../console/snapshot-source.ts';
import type { StreamSlots } from '../console/stream-slots.ts';

/** The app's state that routes share, built once per app. */
export interface AppContext {
  store: Store;
  now: () => Date;
  log: (message: string, error?: unknown) => void;
  /** Resolves once the served campaign is in the store; requests wait for it. */
  ready: Promise<void>;
  /** The campaign a request concerns when it names none (`?campaign=`). */
  defaultCampaignId: string;
  /** The campaign file the server was started with. */
  served: Campaign;
  /** A campaign's current published text (the served file's for the default one, before anything is published). */
  campaignContent: (id: string) => Promise<Campaign | undefined>;
  /** The database setting, for exports to run in a worker thread of their own (exports/worker.ts); omitted: in this thread. */
  exportDb?: string;
  /** Folder of the built PWA; undefined: the API only. */
  staticDir?: string;
  /** Limits of a batch body. */
  batchLimits: BodyLimits;
  /** Told to tablets at enrollment: how long they keep synced signers' data. */
  tabletRetentionMs: number;
  /** Silent this long while holding unsynced signatures: the Devices section flags the tablet. */
  staleAfterMs: number;
  /** Device token lifetime (0: never expires). */
  tokenLifetimeMs: number;
  live: LiveSignals;
  /** A campaign's public counter snapshot, shared by its streams. */
  publicTotal: (campaignId: string) => SnapshotSource<{ total: number; paper?: number }>;
  /** A campaign's dashboard snapshot, shared by every signed-in coordinator's stream of it. */
  dashboardTotals: (campaignId: string) => SnapshotSource<Totals>;
  /** Caps on the public counter's streams. */
  publicSlots: StreamSlots;
  /** The origin tablets and coordinators use (--public-url); undefined: each request's own. */
  publicUrl?: string;
  /** The reverse proxies believed about the client (--trust-proxy). */
  trustedProxies: TrustedProxies;
  /** How long a console session lasts from sign-in, and unused (--session-hours, --session-idle-minutes). */
  sessions: SessionTimes;
  /** Attempts per client address, and for sign-ins per account (email), in buckets every instance shares. */
  limiters: { enroll: RateLimiter; authFailure: RateLimiter; login: RateLimiter; loginAccount: RateLimiter; invitation: RateLimiter };
}

/** A console session's lifetime from sign-in, and how long it may go unused, in ms. */
export interface SessionTimes {
  lifetimeMs: number;
  idleMs: number;
}

/** A signed-in coordinator's session, as the session middleware found it. */
export type ConsoleSession = Session & { idHash: string };

/** Hono's environment for this app: node-server bindings when behind a socket, and what middleware sets. */
export interface AppEnv {
  Bindings: Partial<HttpBindings>;
  Variables: {
    app: AppContext;
    /** The tablet behind the bearer token (device routes). */
    device: Device;
    /** The coordinator's session (session routes). */
    session: ConsoleSession;
    /** The parsed JSON body (routes with `body` limits). */
    body: unknown;
  };
}

/** A route's context. */
export type Ctx = Context<AppEnv>;

/** The request's body as the endpoint's schema parsed it (the body step, middleware.ts: jsonBody). */
export function bodyOf<E extends Endpoint & { request: { body: z.ZodMiniType } }>(c: Ctx, _endpoint: E): z.output<E['request']['body']> {
  return c.var.body as z.output<E['request']['body']>;
}

/**
 * The path parameters, parsed with the endpoint's params schema. The router already matched
 * each one against that schema's pattern (routes.ts: honoPath), so this cannot refuse one.
 */
export function paramsOf<E extends Endpoint & { request: { params: z.ZodMiniObject } }>(c: Ctx, endpoint: E): z.output<E['request']['params']> {
  return z.parse(endpoint.request.params, c.req.param()) as z.output<E['request']['params']>;
}

/** Whether the request is a HEAD: answer the headers only, do no work. */
export function isHead(c: Ctx): boolean {
  return c.req.method === 'HEAD';
}

const CAMPAIGN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `?campaign=<id>` when it is a well-formed id. */
export function campaignParam(c: Ctx): string | undefined {
  const id = c.req.query('campaign');
  return id !== undefined && CAMPAIGN_ID.test(id) ? id : undefined;
}

/** The campaign this request concerns: `?campaign=<id>`, or the default one. */
export function campaignOf(c: Ctx): string {
  return campaignParam(c) ?? c.var.app.defaultCampaignId;
}

/** An integer query parameter, clamped to [min, max]; `fallback` when absent or not an integer. */
export function intParam(c: Ctx, name: string, min: number, max: number, fallback: number): number {
  const text = c.req.query(name) ?? null;
  const n = Number(text);
  return text !== null && Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** The signed-in coordinator's email: who the audit log names for a console action. */
export function actorOf(c: Ctx): string {
  return c.var.session.coordinator.email;
}

/** Write `action` to the audit log under the signed-in coordinator, for `campaign` (default: the request's). */
export async function audit(c: Ctx, action: string, detail: Record<string, unknown> = {}, campaign: string | null = campaignOf(c)): Promise<void> {
  const { store, now } = c.var.app;
  await store.audit({ at: now().toISOString(), actor: actorOf(c), action, detail, campaignId: campaign });
}
