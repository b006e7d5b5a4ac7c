/**
 * Issue #19: every session route of the route table (server/routes.ts), called by every kind
 * of account, through the real HTTP app: an owner, a manager of campaign A who may export
 * personal data, one who may not, a viewer of A, an owner who has not set up two-factor
 * sign-in yet, a disabled account's old session, and a manager of campaign B asking about A.
 *
 * What each may do is written out below (EXPECTED), by route name, not read from the routes'
 * own `may`: a route added later fails here until it is given a row. Allowed is any answer but
 * 401 and 403 (the sample body may be refused later, with a 400, 404 or 409); a refusal is a
 * 403 in the error shape whose message says why. Routes about one item (a tablet, a signature,
 * a paper count) are called with A's real ones, so that the handlers' own checks are walked:
 * an item of a campaign the account cannot see is a 404, and is still there afterwards.
 * Finally, no answer to an account without the personal-data permission holds a seeded
 * signer's name, email or signature id, and none to B's manager holds one of A's.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importCampaign } from '../../server/campaigns.ts';
import { ROUTES, type Route } from '../../server/routes.ts';
import { recordHash } from '../../server/ingest.ts';
import { DEFAULT_CAMPAIGN } from '../../src/shared/default-campaign.ts';
import { ErrorResponseSchema, type SignatureRecord } from '../../src/shared/protocol.ts';
import { addAccount, signIn, type AccountOptions, type SignedIn } from '../helpers/accounts.ts';
import { disableAccount } from '../helpers/account-rows.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { makeRecord, withSigner } from '../helpers/records.ts';

/** Campaign A is the default one; B is a second, published beside it. */
const A = DEFAULT_CAMPAIGN.id;
const B = 'clean-water';

const PERSONAS = ['owner', 'dataManager', 'manager', 'viewer', 'pending', 'disabled', 'otherManager'] as const;
type Persona = (typeof PERSONAS)[number];
const ACCOUNTS: Record<Persona, AccountOptions> = {
  owner: { role: 'owner' },
  dataManager: { role: 'manager', campaigns: [A], mayExportPersonalData: true },
  manager: { role: 'manager', campaigns: [A] },
  viewer: { role: 'viewer', campaigns: [A] },
  pending: { role: 'owner', twoFactor: false },
  disabled: { role: 'owner' },
  otherManager: { role: 'manager', campaigns: [B], mayExportPersonalData: true },
};

/** What a call comes to; each refusal is checked for its status, code and reason. */
const OK = 'allowed';
const OWNER = 'owners only';
const ROLE = 'needs a manager';
const DATA = 'needs the personal-data permission';
const CAMP = 'not its campaign';
const SETUP = 'two-factor first';
const UNSEEN = 'an item it cannot see (404)';
const OUT = 'signed out (401)';
type Outcome = typeof OK | typeof OWNER | typeof ROLE | typeof DATA | typeof CAMP | typeof SETUP | typeof UNSEEN | typeof OUT;

/** Each refusal's answer: status, error code, and what the message must say. */
const REFUSALS: Record<Exclude<Outcome, typeof OK>, { status: number; code: string; says: RegExp }> = {
  [OWNER]: { status: 403, code: 'forbidden', says: /^Only an owner can do this/ },
  [ROLE]: { status: 403, code: 'forbidden', says: /viewer .* this needs a campaign manager/ },
  [DATA]: { status: 403, code: 'forbidden', says: /need the permission to export personal data/ },
  [CAMP]: { status: 403, code: 'forbidden', says: new RegExp(`no access to the campaign "${A}"`) },
  [SETUP]: { status: 403, code: 'two_factor_setup_required', says: /^Set up two-factor sign-in first/ },
  [UNSEEN]: { status: 404, code: 'not_found', says: /^No such / },
  [OUT]: { status: 401, code: 'unauthorized', says: /sign in/i },
};

type Row = readonly [owner: Outcome, dataManager: Outcome, manager: Outcome, viewer: Outcome, pending: Outcome, disabled: Outcome, otherManager: Outcome];
const PERSONAL: Row = [OK, OK, DATA, ROLE, SETUP, OUT, CAMP];
const PERSONAL_ITEM: Row = [OK, OK, DATA, ROLE, SETUP, OUT, UNSEEN];
const MANAGE: Row = [OK, OK, OK, ROLE, SETUP, OUT, CAMP];
const VIEW: Row = [OK, OK, OK, OK, SETUP, OUT, CAMP];
/** About one item (the handler judges it), or about no campaign at all (each sees its own). */
const MANAGE_ITEM: Row = [OK, OK, OK, ROLE, SETUP, OUT, UNSEEN];
const ANY_VIEWER: Row = [OK, OK, OK, OK, SETUP, OUT, OK];
/** About the account itself: even an account that must first set up two-factor. */
const SELF: Row = [OK, OK, OK, OK, OK, OUT, OK];
const OWNER_ONLY: Row = [OK, OWNER, OWNER, OWNER, SETUP, OUT, OWNER];

/** By route name, in the order of PERSONAS. */
const EXPECTED: Record<string, Row> = {
  //                owner dataMgr manager viewer pending disabled B-manager
  logout:           [OK, OK, OK, OK, OK, OUT, OK],
  totals:           VIEW,
  events:           VIEW,
  devices:          ANY_VIEWER,
  revoke:           MANAGE_ITEM,
  codes:            MANAGE,
  audit:            MANAGE,
  signatures:       PERSONAL,
  signatureSvg:     PERSONAL_ITEM,
  deleteSignature:  PERSONAL_ITEM,
  setAside:         PERSONAL,
  restoreSetAside:  PERSONAL,
  handinCsv:        PERSONAL,
  contactsCsv:      PERSONAL,
  signaturesZip:    PERSONAL,
  handinPdf:        PERSONAL,
  handinPackage:    PERSONAL,
  handinKey:        [OK, OK, OK, ROLE, SETUP, OUT, OK],
  paperSheetsPdf:   MANAGE,
  records:          PERSONAL,
  paperCounts:      VIEW,
  recordPaperCount: MANAGE,
  removePaperCount: MANAGE_ITEM,
  campaigns:        ANY_VIEWER,
  createCampaign:   OWNER_ONLY,
  getCampaign:      VIEW,
  changeSettings:   MANAGE,
  putDraft:         MANAGE,
  publish:          MANAGE,
  close:            MANAGE,
  reopen:           MANAGE,
  campaignVersion:  VIEW,
  // Two-factor, sessions and password: the account's own, for anyone signed in.
  twoFactorSetup:   SELF,
  twoFactorConfirm: SELF,
  twoFactorRecoveryCodes: SELF,
  twoFactorOff:     SELF,
  accountSessions:  SELF,
  endSession:       SELF,
  changePassword:   SELF,
  // The whole audit log and the team are the owners'.
  auditCsv:         OWNER_ONLY,
  team:             OWNER_ONLY,
  invite:           OWNER_ONLY,
  revokeInvitation: OWNER_ONLY,
  changeAccount:    OWNER_ONLY,
  disableAccount:   OWNER_ONLY,
  enableAccount:    OWNER_ONLY,
  changeConsoleSettings: OWNER_ONLY,
};
const expected = (name: string, persona: Persona) => EXPECTED[name][PERSONAS.indexOf(persona)];

const SESSION_ROUTES = ROUTES.filter((r) => r.auth === 'session');
/** The walk's order: the table's, but signing out last (it ends the session the others use). */
const WALK = [...SESSION_ROUTES.filter((r) => r.name !== 'logout'), ...SESSION_ROUTES.filter((r) => r.name === 'logout')];

let server: TestServer;
const sessions = {} as Record<Persona, SignedIn>;
/** What each persona's calls are about: A's items, one of each per persona where a call removes it. */
const items = { svg: '', setAside: '', deletable: {} as Record<Persona, string>, paper: {} as Record<Persona, string>, tablet: {} as Record<Persona, string> };
/** Every seeded signer's name, email and signature id, by campaign. */
const signerData: Record<typeof A | typeof B, string[]> = { [A]: [], [B]: [] };
const signatureIds = new Set<string>();
/** Every answer's status and body, by persona and route. */
const answers = {} as Record<Persona, Record<string, { status: number; body: string }>>;

/** Store signatures of `campaign`, each signer's name and email a string found nowhere else; returns their ids. */
async function seedSignatures(campaign: string, deviceId: string, count: number): Promise<string[]> {
  const records: SignatureRecord[] = Array.from({ length: count }, (_, i) => {
    const tag = `${campaign === A ? 'Alvarez' : 'Brennan'}-${crypto.randomUUID().slice(0, 8)}-${i}`;
    return withSigner(makeRecord({ deviceId, campaignId: campaign, name: `Signer ${tag}`, email: `${tag.toLowerCase()}@signers.example` }), { optIn: true });
  });
  await server.store.ingest(records.map((record) => ({ record, hash: recordHash(record), clockSuspect: false })), new Date().toISOString(), 'sync');
  for (const r of records) if (r.payload.kind === 'plain') signerData[campaign as typeof A].push(r.payload.signer.name, r.payload.signer.email!, r.id);
  for (const r of records) signatureIds.add(r.id);
  return records.map((r) => r.id);
}

async function seedPaperCount(campaign: string, persona: string): Promise<string> {
  const id = crypto.randomUUID();
  await server.store.addPaperCount({
    id, campaignId: campaign, event: `Stall of ${persona}`, collectedOn: '2026-11-23', sheets: 2, signatures: 30, countries: {}, countedBy: 'Bo', note: null,
    recordedAt: new Date().toISOString(), recordedBy: 'test',
  });
  return id;
}

/** The sample request of a route for `persona`: A's items, and a body the contract takes. */
function sampleOf(name: string, persona: Persona): { params?: Record<string, string>; query?: Record<string, string>; body?: unknown } {
  switch (name) {
    case 'revoke': return { params: { id: items.tablet[persona] } };
    case 'signatureSvg': return { params: { id: items.svg } };
    case 'deleteSignature': return { params: { id: items.deletable[persona] } };
    case 'removePaperCount': return { params: { id: items.paper[persona] } };
    case 'codes': return { body: { event: 'Role walk', campaigns: [A] } };
    case 'setAside': return { body: { ids: [items.setAside], reason: 'test' } };
    case 'restoreSetAside': return { body: { ids: [items.setAside] } };
    case 'recordPaperCount': return { body: { event: 'Market day', collectedOn: '2026-11-28', sheets: 1, signatures: 20, countries: {}, countedBy: 'Wanjiru Kamau' } };
    case 'createCampaign': return { body: { id: `walk-${persona}` } };
    case 'changeSettings': return { body: { goal: 5000 } };
    case 'putDraft': return { body: { content: DEFAULT_CAMPAIGN } };
    case 'paperSheetsPdf': return { query: { pages: '1' } };
    // No such account or invitation (404 when allowed): the guard answers before the handler looks.
    case 'revokeInvitation': case 'changeAccount': case 'disableAccount': case 'enableAccount':
      return { params: { id: '00000000-0000-4000-8000-000000000000' } };
    // A new password too short: refused (400) before the current one is checked.
    case 'changePassword': return { body: { current: 'not it', new: 'short' } };
    default: return {};
  }
}

/** Call `route` as `persona`; an event stream is read up to its first event. */
async function call(route: Route, persona: Persona): Promise<{ status: number; body: string }> {
  const { params = {}, query = {}, body } = sampleOf(route.name, persona);
  const path = route.endpoint.path.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(params[key] ?? (key === 'version' ? '1' : A)));
  const search = new URLSearchParams({ ...(route.scope === 'query' && { campaign: A }), ...query });
  const controller = new AbortController();
  const res = await fetch(`${server.url}${path}${search.size ? `?${search}` : ''}`, {
    method: route.method,
    headers: { ...sessions[persona].headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: controller.signal,
  });
  if (!res.headers.get('content-type')?.includes('text/event-stream')) return { status: res.status, body: Buffer.from(await res.arrayBuffer()).toString('utf8') };
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  return { status: res.status, body: text };
}

beforeAll(async () => {
  server = await startTestServer({ loginLimit: { capacity: 100, refillMs: 1 }, enrollLimit: { capacity: 100, refillMs: 1 } });
  await vi.waitFor(async () => expect(await server.store.getCampaign(A)).toBeTruthy());
  await importCampaign(server.store, { ...DEFAULT_CAMPAIGN, id: B }, 'test');
  const tabletB = await server.enroll('Stall B', [B]);
  await seedSignatures(B, tabletB.deviceId, 2);
  await seedPaperCount(B, 'B');
  const tabletA = await server.enroll('Stall A', [A]);
  [items.svg, items.setAside] = await seedSignatures(A, tabletA.deviceId, 2);
  for (const persona of PERSONAS) {
    [items.deletable[persona]] = await seedSignatures(A, tabletA.deviceId, 1);
    items.paper[persona] = await seedPaperCount(A, persona);
    items.tablet[persona] = (await server.enroll(`Tablet of ${persona}`, [A])).deviceId;
    const account = await addAccount(server.store, { email: `${persona.toLowerCase()}@team.example`, name: persona, ...ACCOUNTS[persona] });
    sessions[persona] = await signIn(server.url, account);
    // Disabled after signing in: the session it holds is the one that must stop working.
    if (persona === 'disabled') await disableAccount(server.store, account.id, new Date().toISOString());
  }
  for (const persona of PERSONAS) {
    answers[persona] = {};
    for (const route of WALK) answers[persona][route.name] = await call(route, persona);
  }
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('every session route, for every kind of account (#19)', () => {
  it('has a row in EXPECTED for every session route, and none for a route that is not one', () => {
    expect(SESSION_ROUTES.filter((r) => !EXPECTED[r.name]).map((r) => r.name), 'give these routes a row in EXPECTED').toEqual([]);
    expect(Object.keys(EXPECTED).filter((name) => !SESSION_ROUTES.some((r) => r.name === name))).toEqual([]);
  });

  describe.each(PERSONAS)('as %s', (persona) => {
    it.each(SESSION_ROUTES.map((r) => [r.name, r] as const))('%s', (name, route) => {
      const wanted = expected(name, persona);
      const { status, body } = answers[persona][name];
      const where = `${route.method} ${route.path} as ${persona}: ${status} ${body.slice(0, 200)}`;
      if (wanted === OK) {
        expect([401, 403], where).not.toContain(status);
        return;
      }
      const refusal = REFUSALS[wanted];
      expect(status, where).toBe(refusal.status);
      const { error } = ErrorResponseSchema.parse(JSON.parse(body));
      expect(error.code, where).toBe(refusal.code);
      expect(error.message, where).toMatch(refusal.says);
    });
  });

  it("leaves A's items alone where the call was refused, and acts on them where it was allowed", async () => {
    const devices = await server.store.listDevices();
    const paper = new Set((await server.store.paperCounts(A)).map((p) => p.id));
    for (const persona of PERSONAS) {
      expect(await server.store.getSignature(items.deletable[persona]), `signature, ${persona}`).toEqual(expected('deleteSignature', persona) === OK ? undefined : expect.anything());
      expect(paper.has(items.paper[persona]), `paper count, ${persona}`).toBe(expected('removePaperCount', persona) !== OK);
      expect(devices.find((d) => d.id === items.tablet[persona])?.revokedAt !== null, `tablet, ${persona}`).toBe(expected('revoke', persona) === OK);
    }
  });

  /** The seeded values found in the answers to `persona` (as `route: value`), leaving out `except`'s. */
  const leaks = (persona: Persona, data: string[], except: (route: string, value: string) => boolean = () => false) =>
    Object.entries(answers[persona]).flatMap(([name, { body }]) => data.filter((value) => body.includes(value) && !except(name, value)).map((value) => `${name}: ${value}`));

  it('gives no signer data to an account without the personal-data permission, nor A’s to a manager of B', () => {
    expect(signerData[A].length).toBe(3 * (2 + PERSONAS.length));
    const everyone = [...signerData[A], ...signerData[B]];
    for (const persona of ['viewer', 'pending', 'disabled'] as const) expect(leaks(persona, everyone), persona).toEqual([]);
    expect(leaks('manager', everyone)).toEqual([]);
    expect(leaks('otherManager', signerData[A])).toEqual([]);
    // The check can see signer data where there is some: the owner's list and contacts hold A's.
    expect(leaks('owner', signerData[A]).length).toBeGreaterThan(0);
  });

  // GET /api/console/audit?campaign= ('manage'): 'signatures.set-aside', 'signatures.restored'
  // and 'delete-signature' hold signature ids, withheld from an account without the permission.
  it('the campaign’s audit log shows a manager without the permission no signature id', () => {
    expect(leaks('manager', [...signerData[A], ...signerData[B]]).filter((leak) => leak.startsWith('audit: '))).toEqual([]);
  });
});
