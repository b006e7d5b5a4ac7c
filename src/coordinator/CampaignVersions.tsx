/**
 * A campaign's published versions: number, date and content hash, and each one's text exactly
 * as it was published, read-only (a published version never changes; a change is the next
 * version). Every signature names the version and hash it was signed under.
 */
import { useState } from 'preact/hooks';
import type { CampaignDetail, ConsoleApi, PublishedVersion } from './api.ts';
import { formatDateTime } from './format.ts';
import { KioskPreview } from './KioskPreview.tsx';

interface Props {
  api: ConsoleApi;
  campaign: CampaignDetail;
}

export function CampaignVersions({ api, campaign }: Props) {
  const [shown, setShown] = useState<PublishedVersion | undefined>();
  const [error, setError] = useState('');

  async function view(version: number) {
    setError('');
    try {
      setShown(await api.version(campaign.id, version));
    } catch (failure) {
      setError((failure as Error).message);
    }
  }

  const hide = () => setShown(undefined);

  return (
    <section class="card" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Published versions</h2>
      {campaign.versions.length === 0 ? (
        <p class="hint">Nothing is published yet: tablets cannot show this campaign until its first version is.</p>
      ) : (
        <div class="table-wrap">
          <table class="data compact" id="versions-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Published</th>
                <th scope="col">Content hash (SHA-256)</th>
                <th scope="col"><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {[...campaign.versions].reverse().map((v) => (
                <tr key={v.version}>
                  <th scope="row">{`Version ${v.version}`}</th>
                  <td><time dateTime={v.publishedAt}>{formatDateTime(v.publishedAt)}</time></td>
                  <td class="mono hash">{v.hash ?? <span class="muted">not recorded</span>}</td>
                  <td class="actions">
                    {v.textRecorded ? (
                      <button type="button" class="secondary small" aria-label={`View version ${v.version}`} aria-expanded={shown?.version === v.version ? 'true' : 'false'}
                        onClick={() => (shown?.version === v.version ? hide() : void view(v.version))}>
                        {shown?.version === v.version ? 'Hide' : 'View'}
                      </button>
                    ) : (
                      <span class="muted">Text not recorded</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {error && <p class="error banner" role="alert">{error}</p>}
      {shown?.content && (
        <div class="version-view" data-testid="published-version">
          <p class="read-only-note">
            <span class="badge">Read-only</span>
            {` Version ${shown.version}, published ${formatDateTime(shown.publishedAt)}. Content hash `}
            <span class="mono">{shown.hash ?? 'not recorded'}</span>
            {'. A published version never changes: edit the draft and publish the next version.'}
          </p>
          <KioskPreview campaign={shown.content} of={`version ${shown.version}`} idPrefix="version-preview" />
        </div>
      )}
    </section>
  );
}
