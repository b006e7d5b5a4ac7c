/**
 * The neutral screen of a locked tablet: a padlock, the word "Locked" and an "Unlock"
 * button, in plain grey. Nothing about the petition, the campaign, the counts, the app or
 * its signers. "Unlock" asks for the volunteer PIN, with the same check and the same
 * lock-out after wrong tries as the volunteer screen.
 */
import { useRef, useState } from 'preact/hooks';
import { useFocusOnArrival } from './focus.ts';
import { useI18n } from './i18n/index.ts';
import { LockIcon } from './HoldToLock.tsx';
import { PinDialog } from './PinDialog.tsx';

interface Props {
  /** The volunteer PIN check (true, false, or ms to wait). */
  checkPin: (pin: string) => Promise<boolean | number>;
  onUnlock: () => void;
}

export function LockScreen({ checkPin, onUnlock }: Props) {
  const [asking, setAsking] = useState(false);
  if (asking) return <PinDialog check={checkPin} onOpen={onUnlock} onCancel={() => setAsking(false)} />;
  return <Neutral onUnlock={() => setAsking(true)} />;
}

function Neutral({ onUnlock }: { onUnlock: () => void }) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement | null>(null);
  useFocusOnArrival(heading);
  return (
    <main class="lock-screen">
      <LockIcon />
      <h1 tabIndex={-1} ref={heading}>{t('lockedTitle')}</h1>
      <button type="button" class="lock-screen-unlock" onClick={onUnlock}>{t('unlockScreen')}</button>
    </main>
  );
}
