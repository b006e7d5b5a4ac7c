/** Downloads for the hand-in and for the campaign team. */
import { EXPORTS } from './api.ts';
import { SectionHeading } from './SectionHeading.tsx';

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

export function Exports() {
  return (
    <>
      <SectionHeading title="Exports" />
      <p class="lead">Each file is prepared from everything the server holds at the moment you download it. Every export is recorded in the audit log.</p>
      <ul class="export-grid">
        {ITEMS.map((item) => (
          <li key={item.href} class="card export-card">
            <h2>{item.title}</h2>
            <p>{item.text}</p>
            {item.sensitive && <p class="badge badge-warn">Contains personal data</p>}
            <a class="button primary" href={item.href} download>{item.button}</a>
          </li>
        ))}
      </ul>
    </>
  );
}
