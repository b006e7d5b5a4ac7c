/** The petition text: title, intro paragraphs, the demands and the closing line. */
import type { Campaign } from '../shared/default-campaign.ts';

export function Petition({ campaign }: { campaign: Campaign }) {
  return (
    <article class="petition" aria-labelledby="petition-title">
      <h1 id="petition-title">{campaign.title}</h1>
      {campaign.intro.map((paragraph, i) => (
        <p key={i}>{paragraph}</p>
      ))}
      <p class="call">{campaign.call}</p>
      <ul class="demands">
        {campaign.demands.map((demand, i) => (
          <li key={i}>{demand}</li>
        ))}
      </ul>
      <p>{campaign.closing}</p>
    </article>
  );
}
