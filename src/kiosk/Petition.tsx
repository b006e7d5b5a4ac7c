/** The petition text in the signer's language: title, intro, the demands and the closing line. */
import type { Ref } from 'preact';
import { campaignText, type Campaign } from '../shared/campaign.ts';
import { useI18n } from './i18n/index.ts';

/**
 * `titleRef`: the title takes focus when a new signer's flow begins (see SignFlow).
 * `titleId`: for a page showing more than one (the console's previews).
 */
export function Petition({ campaign, titleRef, titleId = 'petition-title' }: { campaign: Campaign; titleRef?: Ref<HTMLHeadingElement>; titleId?: string }) {
  const { lang } = useI18n();
  const text = campaignText(campaign, lang);
  return (
    <article class="petition" aria-labelledby={titleId}>
      {campaign.logo && <img class="logo" src={campaign.logo} alt="" />}
      <h1 id={titleId} tabIndex={-1} ref={titleRef}>{text.title}</h1>
      {text.intro.map((paragraph, i) => (
        <p key={i}>{paragraph}</p>
      ))}
      <p class="call">{text.call}</p>
      <ul class="demands">
        {text.demands.map((demand, i) => (
          <li key={i}>{demand}</li>
        ))}
      </ul>
      {text.closing && <p>{text.closing}</p>}
    </article>
  );
}
