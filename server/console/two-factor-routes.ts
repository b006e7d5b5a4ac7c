/**
 * POST /api/console/two-factor/…: setting up and keeping two-factor sign-in. Thin: each takes
 * the session and the code, calls two-factor.ts, and maps its outcome to an answer. A wrong
 * code is a 400 on the `code` field (not a 401: the session is fine), and counts against the
 * account's sign-in limit (429 once it is spent).
 */
import QRCode from 'qrcode';
import { HttpError, answer } from '../http-reply.ts';
import { rateLimited } from '../rate-limit.ts';
import { publicOrigin, requestOf } from '../client-address.ts';
import { bodyOf, type Ctx } from '../routes/context.ts';
import { api } from '../../src/shared/api/endpoints.ts';
import { beginSetup, confirmSetup, renewRecoveryCodes, turnOff, type CodeRefused } from './two-factor.ts';

/** POST /api/console/two-factor/setup: a new secret to scan, or to type by hand. */
export async function setup(c: Ctx): Promise<Response> {
  const outcome = await beginSetup(c.var.app.store, c.var.session, issuerOf(c));
  if (outcome.kind === 'already-on') throw notOn(false);
  const qrSvg = await QRCode.toString(outcome.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return answer(api.twoFactorSetup, 200, { secret: outcome.secret, uri: outcome.uri, qrSvg });
}

/** POST /api/console/two-factor/confirm: on, with the recovery codes, shown this once. */
export async function confirm(c: Ctx): Promise<Response> {
  const { store, limiters, now } = c.var.app;
  const outcome = await confirmSetup(store, limiters.loginAccount, c.var.session, bodyOf(c, api.twoFactorConfirm).code, now());
  if (outcome.kind === 'no-setup') throw new HttpError(409, 'conflict', 'No two-factor setup is under way (or another one began since): start the setup again.');
  if (outcome.kind !== 'on') throw refusedCode(outcome);
  return answer(api.twoFactorConfirm, 200, { recoveryCodes: outcome.recoveryCodes });
}

/** POST /api/console/two-factor/recovery-codes: a new set, the old one void. */
export async function recoveryCodes(c: Ctx): Promise<Response> {
  const { store, limiters, now } = c.var.app;
  const outcome = await renewRecoveryCodes(store, limiters.loginAccount, c.var.session, bodyOf(c, api.twoFactorRecoveryCodes).code, now());
  if (outcome.kind === 'not-on') throw notOn(true);
  if (outcome.kind !== 'renewed') throw refusedCode(outcome);
  return answer(api.twoFactorRecoveryCodes, 200, { recoveryCodes: outcome.recoveryCodes });
}

/** POST /api/console/two-factor/off. */
export async function off(c: Ctx): Promise<Response> {
  const { store, limiters, now } = c.var.app;
  const outcome = await turnOff(store, limiters.loginAccount, c.var.session, bodyOf(c, api.twoFactorOff).code, now());
  if (outcome.kind === 'required') {
    throw new HttpError(403, 'forbidden', 'This account must sign in with two-factor: owners, anyone who may export personal data, and everyone when an owner requires it.');
  }
  if (outcome.kind === 'not-on') throw notOn(true);
  if (outcome.kind !== 'off') throw refusedCode(outcome);
  return new Response(null, { status: 204 });
}

/** The issuer an authenticator app shows the code under: Fieldsign, and which server. */
function issuerOf(c: Ctx): string {
  return `Fieldsign ${new URL(publicOrigin(requestOf(c), c.var.app.publicUrl)).hostname}`;
}

function notOn(needed: boolean): HttpError {
  return needed
    ? new HttpError(409, 'conflict', 'Two-factor sign-in is not on for this account.')
    : new HttpError(409, 'conflict', 'Two-factor sign-in is already on. Turn it off first to set up another authenticator app.');
}

function refusedCode(outcome: CodeRefused): HttpError {
  if (outcome.kind === 'limited') return rateLimited(outcome.waitMs);
  const message = 'Wrong code. Enter the code your authenticator app shows now (each code works once).';
  return new HttpError(400, 'bad_request', message, [{ path: 'code', message }]);
}
