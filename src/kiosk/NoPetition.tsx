/**
 * What the kiosk shows in place of the form when no campaign this tablet may show is open
 * (all closed on the server): a plain notice, nothing to sign. The status bar below stays,
 * so the volunteer can still sync, export or lock.
 */
import { useRef } from 'preact/hooks';
import { useFocusOnArrival } from './focus.ts';
import { useI18n } from './i18n/index.ts';

export function NoPetition() {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement | null>(null);
  useFocusOnArrival(heading);
  return (
    <section class="card no-petition" aria-labelledby="no-petition-heading">
      <h1 id="no-petition-heading" tabIndex={-1} ref={heading}>{t('noPetitionHeading')}</h1>
      <p>{t('noPetitionBody')}</p>
    </section>
  );
}
