// A path on the machine running Lathe: a text field, plus "Browse…" opening the OS dialog in the desktop app.
import { dialogsService } from '../services/dialogs.js';

export interface PathInputProps {
  readonly value: string;
  readonly onChange: (path: string) => void;
  readonly kind: 'file' | 'folder';
  readonly browseLabel: string;
  readonly placeholder?: string;
  readonly id?: string;
  readonly 'aria-describedby'?: string;
  readonly 'aria-label'?: string;
}

export function PathInput({ value, onChange, kind, browseLabel, placeholder, ...aria }: PathInputProps) {
  return (
    <div className="row" style={{ flexWrap: 'nowrap', gap: 8 }}>
      <input {...aria} className="mono" style={{ flex: 1, minWidth: 0 }} value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} spellCheck={false} />
      {dialogsService.available() && (
        <button type="button" className="secondary" onClick={() => void dialogsService.pick(kind).then((p) => p && onChange(p))}>
          {browseLabel}
        </button>
      )}
    </div>
  );
}
