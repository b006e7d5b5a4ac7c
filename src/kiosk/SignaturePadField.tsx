/**
 * The signature canvas (signature_pad). Crisp on high-DPI screens; on resize or rotation
 * the strokes are rescaled to the new size instead of being wiped (signature_pad clears the
 * canvas whenever its size changes, a well-known pitfall).
 */
import SignaturePad from 'signature_pad';
import { useEffect, useImperativeHandle, useRef } from 'preact/hooks';
import type { Ref } from 'preact';
import type { Ink } from '../shared/ink.ts';

/** What the form can ask of the pad. */
export interface SignaturePadHandle {
  isEmpty(): boolean;
  /** The strokes drawn so far, in CSS pixels of the current canvas. */
  toInk(): Ink;
  clear(): void;
  /** Remove the last stroke. */
  undo(): void;
}

/**
 * True when drawn strokes are too small or too short to be a signature: fewer than 8
 * points, or everything inside 12% of the box in both directions.
 */
export function isTooSmall(ink: Ink): boolean {
  const points = ink.strokes.flat();
  if (points.length < 8) return true;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const w = Math.max(...xs) - Math.min(...xs);
  const h = Math.max(...ys) - Math.min(...ys);
  return w < ink.width * 0.12 && h < ink.height * 0.12;
}

interface Props {
  padRef: Ref<SignaturePadHandle | null>;
  /** Called when the signer starts or finishes a stroke. */
  onChange?: () => void;
  invalid?: boolean;
  describedBy?: string;
  label: string;
}

export function SignaturePadField({ padRef, onChange, invalid, describedBy, label }: Props) {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const padInstance = useRef<SignaturePad | null>(null);
  const size = useRef({ width: 0, height: 0 });

  useEffect(() => {
    const canvas = canvasRef.current!;
    const pad = new SignaturePad(canvas, { penColor: '#1a1a2e', minWidth: 0.8, maxWidth: 2.6 });
    padInstance.current = pad;
    const changed = () => onChange?.();
    pad.addEventListener('endStroke', changed);

    const fit = () => {
      const { width, height } = canvas.getBoundingClientRect();
      if (width === 0 || height === 0) return;
      const old = size.current;
      if (Math.round(width) === Math.round(old.width) && Math.round(height) === Math.round(old.height)) return;
      const data = pad.toData();
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.getContext('2d')!.scale(ratio, ratio);
      pad.clear();
      if (data.length && old.width > 0) {
        const sx = width / old.width;
        const sy = height / old.height;
        pad.fromData(data.map((g) => ({ ...g, points: g.points.map((p) => ({ ...p, x: p.x * sx, y: p.y * sy })) })));
      }
      size.current = { width, height };
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(canvas);
    return () => {
      observer.disconnect();
      pad.removeEventListener('endStroke', changed);
      pad.off();
      pad.clear();
      // Drop the strokes' pixels too: a zero-size canvas holds no bitmap at all.
      canvas.width = 0;
      canvas.height = 0;
      padInstance.current = null;
    };
  }, []);

  useImperativeHandle(padRef, () => ({
    isEmpty: () => padInstance.current?.isEmpty() ?? true,
    clear: () => {
      padInstance.current?.clear();
      onChange?.();
    },
    undo: () => {
      const pad = padInstance.current;
      if (!pad) return;
      const data = pad.toData();
      data.pop();
      pad.fromData(data);
      onChange?.();
    },
    toInk: () => ({
      width: size.current.width,
      height: size.current.height,
      strokes: (padInstance.current?.toData() ?? []).map((g) =>
        g.points.map((p) => ({ x: p.x, y: p.y, t: p.time, p: p.pressure })),
      ),
    }),
  }));

  return (
    <canvas
      ref={canvasRef}
      class="signature-canvas"
      role="img"
      aria-label={label}
      aria-invalid={invalid ? 'true' : undefined}
      aria-describedby={describedBy}
    />
  );
}
