/**
 * The team (/api/console/team…, owners only): the accounts with their roles and campaigns,
 * the invitations that make new ones, and the owners' settings; and the public side of an
 * invitation (/api/console/invitation…), which the invited person opens from its link.
 *
 * An invitation's token is in its link once, when it is made; the server keeps only its hash.
 */
import * as z from 'zod/mini';
import { CoordinatorSchema, RoleSchema } from './session.ts';
import { labelCheck } from '../text-checks.ts';

const Time = z.string();
const CampaignId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/));
/** Account and invitation ids are UUIDs (the CLI's and the server's randomUUID). */
const Uuid = z.string().check(z.regex(/^[0-9a-fA-F-]{36}$/));
/** 32 random bytes in base64url: 43 characters. */
const Token = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'This invitation link is not complete: copy the whole link.'));

/** An account or invitation in a path. */
export const TeamIdParams = z.object({ id: Uuid });

/** One account of the team, as the Team section lists it: what its session says of it (session.ts), and more. */
export const TeamAccountSchema = z.extend(CoordinatorSchema, {
  id: z.string(),
  createdAt: Time,
  /** When an owner disabled it (it cannot sign in), or null. */
  disabledAt: z.nullable(Time),
  /** Its latest sign-in, from the audit log; null when it never signed in. */
  lastSignInAt: z.nullable(Time),
});
export type TeamAccount = z.infer<typeof TeamAccountSchema>;

/** An invitation not used, revoked nor expired yet (its link is not shown again). */
export const PendingInvitationSchema = z.strictObject({
  id: z.string(),
  email: z.string(),
  role: RoleSchema,
  campaigns: z.array(z.string()),
  mayExportPersonalData: z.boolean(),
  /** The owner who made it (email). */
  createdBy: z.string(),
  createdAt: Time,
  expiresAt: Time,
});
export type PendingInvitation = z.infer<typeof PendingInvitationSchema>;

/** The owners' settings of the console. */
export const TeamSettingsSchema = z.strictObject({
  /** Two-factor sign-in is required of every account, not only of owners and of those who may export personal data. */
  requireTwoFactorForAll: z.boolean(),
});
export type TeamSettings = z.infer<typeof TeamSettingsSchema>;

/** GET /api/console/team. */
export const TeamSchema = z.strictObject({
  accounts: z.array(TeamAccountSchema),
  invitations: z.array(PendingInvitationSchema),
  settings: TeamSettingsSchema,
});
export type Team = z.infer<typeof TeamSchema>;

/** POST /api/console/team/invitations. An owner gets every campaign: `campaigns` is then ignored. */
export const InvitationRequestSchema = z.object({
  email: z.string().check(z.trim(), z.toLowerCase(), z.regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter the email address of the person to invite.'), z.maxLength(254)),
  role: RoleSchema,
  campaigns: z.array(CampaignId).check(z.maxLength(100)),
  mayExportPersonalData: z.boolean(),
  /** How long the link works, in hours (default 72). */
  hours: z.optional(z.int().check(z.gte(1, 'An invitation works for 1 to 168 hours.'), z.lte(168, 'An invitation works for 1 to 168 hours.'))),
});
export type InvitationRequest = z.infer<typeof InvitationRequestSchema>;

/** The invitation made: its link (with the token: shown this once) and the link as a QR code. */
export const InvitationCreatedSchema = z.strictObject({ id: z.string(), link: z.string(), expiresAt: Time, qrSvg: z.string() });
export type InvitationCreated = z.infer<typeof InvitationCreatedSchema>;

/** PATCH /api/console/team/accounts/:id: what changes (at least one field). */
export const AccountChangeSchema = z.object({
  role: z.optional(RoleSchema),
  campaigns: z.optional(z.array(CampaignId).check(z.maxLength(100))),
  mayExportPersonalData: z.optional(z.boolean()),
});
export type AccountChange = z.infer<typeof AccountChangeSchema>;

/** PATCH /api/console/settings. */
export const SettingsChangeSchema = z.object({ requireTwoFactorForAll: z.boolean() });

/** POST /api/console/invitation: the token from the link. */
export const InvitationTokenSchema = z.object({ token: Token });

/** What the invited person is shown before accepting. */
export const InvitationViewSchema = z.strictObject({
  email: z.string(),
  role: RoleSchema,
  /** The campaigns (ids and titles), or 'all' (an owner). */
  campaigns: z.union([z.literal('all'), z.array(z.strictObject({ id: z.string(), title: z.string() }))]),
  mayExportPersonalData: z.boolean(),
  /** Who invited them: the owner's name and email. */
  invitedBy: z.strictObject({ name: z.string(), email: z.string() }),
  expiresAt: Time,
});
export type InvitationView = z.infer<typeof InvitationViewSchema>;

/** POST /api/console/invitation/accept: the token, and the new account's name and password. */
export const AcceptInvitationSchema = z.object({
  token: Token,
  name: z.string().check(z.trim(), z.minLength(1, 'Enter your name.'), z.maxLength(120, 'A name has at most 120 characters.'), labelCheck('Your name')),
  password: z.string().check(z.maxLength(200)),
});
export type AcceptInvitation = z.infer<typeof AcceptInvitationSchema>;
