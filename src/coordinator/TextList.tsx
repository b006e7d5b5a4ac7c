/** An editable list of paragraphs (a petition's introduction, its demands): one text box each, add and remove. */
import { fieldId } from './draft-fields.ts';

interface Props {
  /** The list's path as the server names it, e.g. `text.fr.demands`; each item adds `.<index>`. */
  path: string;
  legend: string;
  /** What one item is called, e.g. "Demand" → "Demand 2", "Remove demand 2". */
  item: string;
  values: string[];
  /** The least number of items (demands: 1). */
  min?: number;
  max: number;
  /** The language and direction the paragraphs are written in. */
  own: { lang: string; dir: 'ltr' | 'rtl' };
  errorPath?: string;
  errorId: string;
  onChange: (values: string[]) => void;
}

export function TextList({ path, legend, item, values, min = 0, max, own, errorPath, errorId, onChange }: Props) {
  const set = (i: number, value: string) => onChange(values.map((v, j) => (j === i ? value : v)));
  return (
    <fieldset class="text-list">
      <legend>{legend}</legend>
      {values.map((value, i) => {
        const id = fieldId(`${path}.${i}`);
        const invalid = errorPath === `${path}.${i}` || (i === 0 && errorPath === path);
        return (
          <div class="text-list-item" key={i}>
            <label for={id}>{`${item} ${i + 1}`}</label>
            <textarea id={id} rows={3} maxLength={4000} value={value} {...own} aria-invalid={invalid ? 'true' : undefined} aria-describedby={invalid ? errorId : undefined}
              onInput={(e) => set(i, e.currentTarget.value)} />
            <button type="button" class="secondary small" disabled={values.length <= min} aria-label={`Remove ${item.toLowerCase()} ${i + 1}`}
              onClick={() => onChange(values.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        );
      })}
      {values.length < max && (
        <button type="button" class="secondary small" onClick={() => onChange([...values, ''])}>{`Add ${item.toLowerCase()}`}</button>
      )}
    </fieldset>
  );
}
