/** The petition text in the signer's language: title, intro, the demands and the closing line. */
import { campaignText, type Campaign } from '../shared/campaign.ts';
import { useI18n } from './i18n/index.ts';

export function Petition({ campaign }: { campaign: Campaign }) {
  const { lang } = useI18n();
  const text = campaignText(campaign, lang);
  return (
    <article class="petition" aria-labelledby="petition-title">
      {campaign.logo && <img class="logo" src={campaign.logo} alt="" />}
      <h1 id="petition-title">{text.title}</h1>
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
