/**
 * Downloads for the hand-in and for the campaign team. In a sealed campaign the server
 * cannot read the signatures, so these files only mark them: the section says so, and where
 * to open them instead (Sealed signatures, or the CLI export).
 */
import { useEffect, useState } from 'preact/hooks';
import { EXPORTS, scoped, type ConsoleApi } from './api.ts';
import { PaperSheetsCard } from './PaperSheetsCard.tsx';
import { SectionHeading } from './SectionHeading.tsx';
import { HandinPackage } from './HandinPackage.tsx';
import type { Language } from '../shared/campaign.ts';

const ITEMS = [
  {
    href: EXPORTS.handinPdf,
    title: 'Hand-in document (PDF)',
    button: 'Download hand-in PDF',
    text: 'The petition text followed by every signer’s name, country and handwritten signature, ready to print and hand in.',
  },
  {
    href: EXPORTS.handinCsv,
    title: 'Hand-in list (CSV)',
    button: 'Download hand-in CSV',
    text: 'One row per signature: name, country and date. For counting and checking; no contact details.',
  },
  {
    href: EXPORTS.contactsCsv,
    title: 'Contacts who opted in (CSV)',
    button: 'Download contacts CSV',
    text: 'Only signers who ticked “keep me informed”, with their email. Personal data: keep it on an encrypted drive.',
    sensitive: true,
  },
  {
    href: EXPORTS.signaturesZip,
    title: 'Signature images (ZIP)',
    button: 'Download signatures ZIP',
    text: 'Each handwritten signature as an SVG file named by its signature ID.',
  },
];

/** The files of one campaign: the one chosen at the top of the console (`?campaign=` on every link). */
export function Exports({ api, campaignTitle }: { api: ConsoleApi; campaignTitle: string }) {
  const [sealed, setSealed] = useState(false);
  const [published, setPublished] = useState<{ languages: Language[]; defaultLanguage: Language } | null>(null);
  useEffect(() => {
    setSealed(false);
    setPublished(null);
    api.publishedVersion().then(
      (version) => {
        setSealed(!!version?.content?.sealing);
        setPublished(version?.content ?? null);
      },
      () => undefined,
    );
  }, [api]);
  return (
    <>
      <SectionHeading title="Exports" />
      <p class="lead">
        The files of <strong>{campaignTitle}</strong>, prepared from everything the server holds for it at the moment you download them. Every export is
        recorded in the audit log.
      </p>
      {sealed && (
        <p class="warn-banner sealed-note" id="exports-sealed-note">
          <strong>This campaign is sealed:</strong> the server cannot read the signers’ names or signatures, so these files list each sealed signature as
          “(sealed signature)”. Open the signatures under <a href="#sealed">Sealed signatures</a> with your key (in this browser, nothing is uploaded), or use
          the CLI export on your own computer: <code>npm run cli -- export --key fieldsign-private-key.json --out DIR</code>.
        </p>
      )}
      <ul class="export-grid">
        {ITEMS.map((item) => (
          <li key={item.href} class="card export-card">
            <h2>{item.title}</h2>
            <p>{item.text}</p>
            {item.sensitive && <p class="badge badge-warn">Contains personal data</p>}
            <a class="button primary" href={scoped(item.href, api.campaignId)} download>{item.button}</a>
          </li>
        ))}
        <PaperSheetsCard campaignId={api.campaignId} published={published} />
      </ul>
      <HandinPackage api={api} />
    </>
  );
}
