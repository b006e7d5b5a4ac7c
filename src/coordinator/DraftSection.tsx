/**
 * The draft of a campaign's next version: the editor, the kiosk's preview of it in each of its
 * languages, what it changes against the version it would follow, and Save and Publish. The
 * preview and the comparison follow every keystroke; the server sees the draft on Save (and
 * on Publish, which saves first). A refusal names the field, and the editor marks it.
 */
import { useState } from 'preact/hooks';
import { RTL_LANGUAGES, type Campaign } from '../shared/campaign.ts';
import { ApiError, type CampaignDetail, type ConsoleApi } from './api.ts';
import { campaignDiff, fieldLabel, withConsentVersion } from './campaign-diff.ts';
import { CampaignDiff } from './CampaignDiff.tsx';
import { DraftEditor } from './DraftEditor.tsx';
import { tidyDraft } from './draft-fields.ts';
import { KioskPreview } from './KioskPreview.tsx';

const ERROR_ID = 'draft-error';

interface Props {
  api: ConsoleApi;
  campaign: CampaignDetail;
  /** What the draft is compared with: the latest published version, or before the first publish, a campaign chosen to compare with. */
  base: { content: Campaign; label: string; published: boolean } | undefined;
  onChanged: (campaign: CampaignDetail, announcement: string) => void;
}

export function DraftSection({ api, campaign, base, onChanged }: Props) {
  const [working, setWorking] = useState<Campaign | undefined>(campaign.draft ?? undefined);
  const [dirty, setDirty] = useState(false);
  const [failure, setFailure] = useState<{ message: string; field?: string } | undefined>();
  const [busy, setBusy] = useState<'saving' | 'publishing' | undefined>();
  const next = (campaign.latestVersion?.version ?? 0) + 1;

  if (!working) {
    return (
      <section class="card" aria-labelledby="draft-heading">
        <h2 id="draft-heading">Next version</h2>
        <p class="hint">There is no draft. A new version starts as a copy of the latest one; tablets keep showing the latest until the next is published.</p>
        <button type="button" class="primary" disabled={!base} onClick={() => {
          setWorking(structuredClone(base!.content));
          setDirty(true);
        }}>
          {`Edit a version ${next}`}
        </button>
      </section>
    );
  }

  /** What would be saved: tidied, with a new consent version if the consent wording changed. */
  const outgoing = withConsentVersion(tidyDraft(working), base?.published ? base.content : undefined);
  const changes = base ? campaignDiff(base.content, outgoing) : [];

  async function save(): Promise<CampaignDetail | undefined> {
    setFailure(undefined);
    try {
      const saved = await api.saveDraft(campaign.id, outgoing);
      setDirty(false);
      return saved;
    } catch (error) {
      const field = error instanceof ApiError ? error.field : undefined;
      const message = (error as Error).message.replace(/^[\w.]+: /, '');
      setFailure({ message: field ? `${fieldLabel(field)}: ${message}` : message, field });
      return undefined;
    }
  }

  async function act(what: 'saving' | 'publishing') {
    setBusy(what);
    try {
      const saved = dirty || what === 'saving' ? await save() : campaign;
      if (!saved) return;
      if (what === 'saving') return onChanged(saved, `The draft of version ${next} is saved. Tablets see it only once it is published.`);
      try {
        const published = await api.publish(campaign.id);
        onChanged(published, `Version ${published.latestVersion?.version} is published. Tablets pick it up between signers.`);
      } catch (error) {
        setFailure({ message: `Not published: ${(error as Error).message}` });
      }
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <section class="draft-section" aria-labelledby="draft-heading">
      <div class="card-head">
        <h2 id="draft-heading">{`Draft of version ${next}`}</h2>
        <p class={dirty ? 'badge badge-warn' : 'badge'} role="status">{dirty ? 'Unsaved changes' : 'Saved'}</p>
      </div>
      {failure && <p id={ERROR_ID} class="error banner" role="alert">{failure.message}</p>}
      <div class="draft-columns">
        <DraftEditor draft={working} errorPath={failure?.field} errorId={ERROR_ID} onChange={(d) => {
          setWorking(d);
          setDirty(true);
        }} />
        <div class="draft-side">
          <KioskPreview campaign={outgoing} of="the draft" idPrefix="draft-preview" />
        </div>
      </div>
      {base && <CampaignDiff changes={changes} against={base.label} rtl={(path) => RTL_LANGUAGES.has(path.split('.')[1])} />}
      <div class="action-bar">
        <button type="button" class="secondary" disabled={!!busy} onClick={() => void act('saving')}>{busy === 'saving' ? 'Saving…' : 'Save draft'}</button>
        <button type="button" class="primary" disabled={!!busy} onClick={() => void act('publishing')}>
          {busy === 'publishing' ? 'Publishing…' : `Publish version ${next}`}
        </button>
        <p class="hint">Publishing makes this text final: it is kept exactly as published, with its content hash, and every signature names it.</p>
      </div>
    </section>
  );
}
