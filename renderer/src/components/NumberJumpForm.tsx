// "Go to number N": a small number box with a submit button, used wherever a person jumps to the Nth record or row
// (prompt preview, dataset view, the import wizard's report). Keeps its own draft; hands on whole numbers ≥ 1 only.
import { useState } from 'react';

export interface NumberJumpFormProps {
  /** Accessible name of the number box. */
  label: string;
  /** Text of the submit button. */
  button: string;
  /** The largest number offered (the browser's own bound); none when unknown. */
  max?: number | undefined;
  disabled?: boolean;
  width?: number;
  /** Called with the 1-based number typed. */
  onJump: (n: number) => void;
}

export function NumberJumpForm({ label, button, max, disabled = false, width = 100, onJump }: NumberJumpFormProps) {
  const [draft, setDraft] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        const n = Number(draft);
        if (!disabled && Number.isInteger(n) && n >= 1) onJump(n);
      }}
    >
      <input type="number" min={1} max={max} value={draft} onChange={(e) => setDraft(e.target.value)} aria-label={label} placeholder="#" disabled={disabled} style={{ width, minWidth: 0 }} />
      <button type="submit" className="secondary" disabled={disabled}>
        {button}
      </button>
    </form>
  );
}
