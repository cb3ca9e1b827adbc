export interface Stage {
  readonly id: string;
  readonly label: string;
  readonly hint?: string;
}

interface Props {
  stages: readonly Stage[];
  /** The stage reached now; every stage before it is done. */
  current: string;
  /** The current stage ended in failure (shown as such, not as in progress). */
  failed?: boolean;
  /** Every stage is done (the last one too). */
  complete?: boolean;
  label: string;
}

/** Where long work has got to, as an ordered list: done, in progress (aria-current) and still to come. */
export function Stages({ stages, current, failed = false, complete = false, label }: Props) {
  const at = Math.max(
    0,
    stages.findIndex((s) => s.id === current),
  );
  return (
    <ol className="stages" aria-label={label}>
      {stages.map((stage, i) => {
        const state = complete || i < at ? 'done' : i === at ? (failed ? 'failed' : 'current') : 'todo';
        const words = { done: 'done', current: 'in progress', failed: 'failed', todo: 'to come' }[state];
        return (
          <li
            key={stage.id}
            className={`stage stage-${state}`}
            aria-current={state === 'current' || state === 'failed' ? 'step' : undefined}
          >
            <span className="stage-mark" aria-hidden="true">
              {state === 'done' ? '✓' : state === 'failed' ? '✕' : i + 1}
            </span>
            <span className="stage-text">
              <span className="stage-label">{stage.label}</span>
              <span className="visually-hidden">: {words}</span>
              {stage.hint && state === 'current' && <span className="stage-hint">{stage.hint}</span>}
            </span>
            {state === 'current' && <span className="spinner" aria-hidden="true" />}
          </li>
        );
      })}
    </ol>
  );
}
