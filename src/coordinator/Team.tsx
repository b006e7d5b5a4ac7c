/**
 * The Team section (owners only): every account with its role, campaigns, permission,
 * two-factor and status, changed or disabled here (a disabled account's sessions end at
 * once); inviting someone (InviteForm.tsx); the invitations still pending, each withdrawable;
 * and the setting that requires two-factor sign-in of everyone.
 */
import { useMemo, useState } from 'preact/hooks';
import type { CampaignSummary } from './api.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { formatDateTime } from './format.ts';
import { useLoad } from './hooks.ts';
import { InviteForm } from './InviteForm.tsx';
import { SectionHeading } from './SectionHeading.tsx';
import { GrantFields, ROLE_NAMES, campaignNames, type Grant } from './TeamGrant.tsx';
import { teamApi, type Team as TeamData, type TeamAccount, type TeamApi } from './team-api.ts';

interface Props {
  csrfToken: string;
  /** The signed-in owner's email: their own row cannot be disabled. */
  self: string;
  campaigns: CampaignSummary[];
  defaultCampaignId: string;
  onError: (error: unknown) => void;
}

const TWO_FACTOR: Record<TeamAccount['twoFactor'], string> = { on: 'On', off: 'Off', 'setup-required': 'Required, not set up' };

export function Team({ csrfToken, self, campaigns, defaultCampaignId, onError }: Props) {
  const api = useMemo(() => teamApi(csrfToken), [csrfToken]);
  const { data: team, error, reload } = useLoad(() => api.team(), [api], onError);
  const [editing, setEditing] = useState<TeamAccount | undefined>();
  const [disabling, setDisabling] = useState<TeamAccount | undefined>();
  const [announcement, setAnnouncement] = useState('');
  const [problem, setProblem] = useState('');

  async function act(action: () => Promise<unknown>, done: string) {
    setProblem('');
    try {
      await action();
      setAnnouncement(done);
      reload();
    } catch (failure) {
      setProblem((failure as Error).message);
      onError(failure);
    }
  }

  return (
    <>
      <SectionHeading title="Team" />
      <p class="lead">Who can use this console, and for what. Changes reach the person’s open sessions at once.</p>
      {announcement && <p class="notice-banner" role="status">{announcement}</p>}
      {(problem || (error && !team)) && <p class="error banner" role="alert">{problem || `The team could not be loaded: ${error}`}</p>}
      <section class="card" aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">Accounts</h2>
        {!team ? <p class="hint">Loading…</p> : (
          <div class="table-wrap">
            <table class="data" id="team-table">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Role</th>
                  <th scope="col">Campaigns</th>
                  <th scope="col">Personal data</th>
                  <th scope="col">Two-factor</th>
                  <th scope="col">Status</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {team.accounts.map((a) => (
                  <tr key={a.id} class={a.disabledAt ? 'revoked' : undefined}>
                    <th scope="row" class="name-cell">{a.name}<span class="sub">{a.email}</span></th>
                    <td>{ROLE_NAMES[a.role]}</td>
                    <td>{campaignNames(a.campaigns, campaigns)}</td>
                    <td>{a.mayExportPersonalData ? <span class="badge badge-warn">May export</span> : <span class="muted">No</span>}</td>
                    <td>{TWO_FACTOR[a.twoFactor]}</td>
                    <td>
                      {a.disabledAt ? <span class="badge badge-danger">{`Disabled ${formatDateTime(a.disabledAt)}`}</span> : 'Active'}
                      <span class="sub">{a.lastSignInAt ? `Last sign-in ${formatDateTime(a.lastSignInAt)}` : 'Never signed in'}</span>
                    </td>
                    <td>
                      <div class="team-actions">
                        <button type="button" class="secondary small" aria-label={`Change ${a.email}`} onClick={() => setEditing(a)}>Change</button>
                        {a.disabledAt ? (
                          <button type="button" class="secondary small" aria-label={`Enable ${a.email}`}
                            onClick={() => void act(() => api.setDisabled(a.id, false), `${a.email} can sign in again.`)}>Enable</button>
                        ) : a.email !== self && (
                          <button type="button" class="danger-outline small" aria-label={`Disable ${a.email}`} onClick={() => setDisabling(a)}>Disable</button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {editing && (
        <AccountEditor key={editing.id} api={api} account={editing} campaigns={campaigns} onClose={() => setEditing(undefined)}
          onSaved={(a) => {
            setEditing(undefined);
            setAnnouncement(`${a.email} is now ${ROLE_NAMES[a.role].toLowerCase()}: ${campaignNames(a.campaigns, campaigns)}.`);
            reload();
          }} />
      )}
      {disabling && (
        <ConfirmDialog title={`Disable ${disabling.email}?`} confirmLabel="Disable the account" onClose={() => setDisabling(undefined)}
          onConfirm={async () => {
            await api.setDisabled(disabling.id, true);
            setAnnouncement(`${disabling.email} is disabled: their sessions have ended.`);
            reload();
          }}>
          <p>Their open sessions end at once and they cannot sign in until an owner enables the account again. Nothing they did is removed.</p>
        </ConfirmDialog>
      )}
      <InviteForm api={api} campaigns={campaigns} defaultCampaignId={defaultCampaignId} onInvited={reload} />
      {team && <PendingInvitations team={team} campaigns={campaigns} onRevoke={(id, email) => void act(() => api.revokeInvitation(id), `The invitation for ${email} was withdrawn.`)} />}
      {team && (
        <section class="card" aria-labelledby="team-settings-heading">
          <h2 id="team-settings-heading">Sign-in</h2>
          <label class="check-inline">
            <input type="checkbox" checked={team.settings.requireTwoFactorForAll}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                void act(() => api.requireTwoFactorForAll(on), on ? 'Two-factor sign-in is now required of everyone.' : 'Two-factor sign-in is required of owners and of those who may export personal data.');
              }} />
            Require two-factor sign-in for everyone
          </label>
          <p class="hint">Owners and anyone who may export personal data need it always. Accounts without it can do nothing but set it up.</p>
        </section>
      )}
    </>
  );
}

function PendingInvitations({ team, campaigns, onRevoke }: { team: TeamData; campaigns: CampaignSummary[]; onRevoke: (id: string, email: string) => void }) {
  return (
    <section class="card" aria-labelledby="pending-heading">
      <h2 id="pending-heading">Pending invitations</h2>
      {team.invitations.length === 0 ? <p class="hint">None.</p> : (
        <ul class="pending-list">
          {team.invitations.map((i) => (
            <li key={i.id}>
              <span>{`${i.email}: ${ROLE_NAMES[i.role]}, ${campaignNames(i.role === 'owner' ? 'all' : i.campaigns, campaigns)}${i.mayExportPersonalData ? ', may export personal data' : ''}. Until ${formatDateTime(i.expiresAt)}.`}</span>
              <button type="button" class="danger-outline small" aria-label={`Withdraw the invitation for ${i.email}`} onClick={() => onRevoke(i.id, i.email)}>Withdraw</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Changing one account's role, campaigns and permission. */
function AccountEditor({ api, account, campaigns, onClose, onSaved }: { api: TeamApi; account: TeamAccount; campaigns: CampaignSummary[]; onClose: () => void; onSaved: (a: TeamAccount) => void }) {
  const [grant, setGrant] = useState<Grant>({ role: account.role, campaigns: account.campaigns === 'all' ? [] : account.campaigns, mayExportPersonalData: account.mayExportPersonalData });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      onSaved(await api.changeAccount(account.id, grant));
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  }
  return (
    <section class="card" aria-labelledby="edit-account-heading">
      <h2 id="edit-account-heading">{`Change ${account.email}`}</h2>
      <form class="stack" onSubmit={save} noValidate>
        <GrantFields idPrefix="edit" grant={grant} campaigns={campaigns} onChange={setGrant} />
        {error && <p class="error banner" role="alert">{error}</p>}
        <div class="team-actions">
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Saving…' : 'Save the change'}</button>
          <button type="button" class="secondary" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </section>
  );
}
