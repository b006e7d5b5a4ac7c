/**
 * Recovery codes, shown once (the server keeps only their hashes): each signs in once in
 * place of the authenticator's code. They can be copied or downloaded as a .txt file, and the
 * person says they have saved them before going on.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

interface Props {
  codes: string[];
  email: string;
  /** "I have saved them". */
  onSaved: () => void;
}

/** The text file the codes are downloaded as (and copied as). */
function codesText(codes: string[], email: string): string {
  return [
    `Fieldsign recovery codes for ${email}`,
    'Each code signs in once, in place of the code from your authenticator app.',
    'Keep them somewhere safe, apart from your phone.',
    '',
    ...codes,
    '',
  ].join('\n');
}

export function RecoveryCodes({ codes, email, onSaved }: Props) {
  const text = useMemo(() => codesText(codes, email), [codes, email]);
  const [url, setUrl] = useState('');
  const [copied, setCopied] = useState('');
  const heading = useRef<HTMLHeadingElement | null>(null);
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    const made = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [text]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied. Paste them somewhere safe.');
    } catch {
      setCopied('This browser would not copy: download them, or write them down.');
    }
  }

  return (
    <section class="recovery-codes" aria-labelledby="recovery-heading">
      <h2 id="recovery-heading" tabIndex={-1} ref={heading}>Your recovery codes</h2>
      <p class="hint">
        If you lose your phone, each of these codes signs you in once instead of the authenticator's code. They are shown
        only now: save them somewhere safe, apart from your phone.
      </p>
      <ol class="recovery-list mono" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div class="button-row">
        <button type="button" class="secondary" onClick={() => void copy()}>Copy the codes</button>
        {url && <a class="button secondary" href={url} download="fieldsign-recovery-codes.txt">Download as .txt</a>}
      </div>
      <p class="hint" role="status">{copied}</p>
      <button type="button" class="primary" onClick={onSaved}>I have saved them</button>
    </section>
  );
}
