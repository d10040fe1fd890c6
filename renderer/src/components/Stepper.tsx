// The wizard's steps as an ordered list: done steps can be revisited, later ones wait until reachable.
export interface StepperProps {
  readonly label: string;
  readonly steps: readonly string[];
  readonly current: number;
  /** Highest step the person may jump to. */
  readonly reachable: number;
  readonly onStep: (index: number) => void;
}

export function Stepper({ label, steps, current, reachable, onStep }: StepperProps) {
  return (
    <ol className="stepper" aria-label={label}>
      {steps.map((s, i) => (
        <li key={s} className={i === current ? 'current' : i < current ? 'done' : ''}>
          <button type="button" className="step" disabled={i > reachable} aria-current={i === current ? 'step' : undefined} onClick={() => onStep(i)}>
            <span className="step-number" aria-hidden="true">
              {i < current ? '✓' : i + 1}
            </span>
            {s}
          </button>
        </li>
      ))}
    </ol>
  );
}
