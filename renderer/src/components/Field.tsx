// A labelled form control with a one-line explanation under it: every input in the app is named for screen readers.
import { useId, type ReactElement, cloneElement } from 'react';

export function Field({ label, help, children, required }: { label: string; help?: string; children: ReactElement<{ id?: string; 'aria-describedby'?: string }>; required?: boolean }) {
  const id = useId();
  const helpId = `${id}-help`;
  return (
    <div className="field">
      <label className="label" htmlFor={id}>
        {label}
        {required && <span className="req" aria-hidden="true"> *</span>}
      </label>
      {cloneElement(children, { id, ...(help ? { 'aria-describedby': helpId } : {}) })}
      {help && (
        <span className="help" id={helpId}>
          {help}
        </span>
      )}
    </div>
  );
}

/** A checkbox with its label and a one-line explanation under it. */
export function CheckField({ label, help, checked, onChange }: { label: string; help: string; checked: boolean; onChange: (checked: boolean) => void }) {
  const helpId = `${useId()}-help`;
  return (
    <div className="field">
      <label className="check">
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={helpId} />
        {label}
      </label>
      <span className="help" id={helpId}>
        {help}
      </span>
    </div>
  );
}
