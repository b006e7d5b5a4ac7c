/**
 * The volunteer screen's petition section: which campaign the next signer sees and, on a
 * tablet allowed several, the choice of it. A choice is stored at once and applies from the
 * next signer (the volunteer screen is only ever opened between signers). Closed campaigns
 * are listed but cannot be chosen; with none open, it says the kiosk shows a notice instead.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CampaignChoice } from '../db/campaigns.ts';
import { campaignText } from '../shared/campaign.ts';
import { useI18n } from './i18n/index.ts';

interface Props {
  load: () => Promise<CampaignChoice[]>;
  choose: (id: string) => Promise<void>;
  /** Changes whenever what the tablet holds about its campaigns changed: reload then. */
  news: number;
}

export function CampaignPicker({ load, choose, news }: Props) {
  const { t, lang } = useI18n();
  const [choices, setChoices] = useState<CampaignChoice[] | undefined>();
  const [notice, setNotice] = useState('');
  useEffect(() => void load().then(setChoices), [news]);

  const title = (c: CampaignChoice) => campaignText(c.content, lang).title;
  const note = (c: CampaignChoice) => (c.status === 'closed' ? t('campaignClosedNote') : t('campaignVersionNote', { n: c.content.version }));

  async function pick(c: CampaignChoice) {
    // Shown chosen at once: a re-render while the choice is being stored (a sync's status
    // arriving) would otherwise set the radio back to the old campaign.
    setChoices((held) => held?.map((x) => ({ ...x, next: x.id === c.id })));
    await choose(c.id);
    setChoices(await load());
    setNotice(t('campaignChosen', { title: title(c) }));
  }

  if (!choices) return null;
  const noneOpen = !choices.some((c) => c.next);
  return (
    <>
      <h2>{t('campaignHeading')}</h2>
      {noneOpen && <p class="warn-text">{t('campaignNoneOpen')}</p>}
      {choices.length === 1 && !noneOpen ? (
        <p>{title(choices[0])} <span class="hint">({note(choices[0])})</span></p>
      ) : choices.length > 0 && (
        <fieldset class="campaign-choice">
          <legend>{t('campaignChoiceLegend')}</legend>
          {choices.map((c) => (
            <div class="field radio" key={c.id}>
              <input type="radio" id={`campaign-${c.id}`} name="campaign" checked={c.next} disabled={c.status !== 'open'}
                onChange={() => void pick(c)} />
              <label for={`campaign-${c.id}`}>{title(c)} <span class="hint">({note(c)})</span></label>
            </div>
          ))}
        </fieldset>
      )}
      <p role="status" class="notice">{notice}</p>
    </>
  );
}
