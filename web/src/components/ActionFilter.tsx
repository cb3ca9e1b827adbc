import { useId, type FormEvent } from 'react';
import { Button } from './Button';

interface Props {
  value: string;
  /** Actions seen so far, offered as suggestions. */
  known: string[];
  onApply: (action: string) => void;
}

const ACTION = /^[a-z_]+\.[a-z_]+$/;

/** Filters an audit list by one action code (such as credential.sealed), as the API allows. */
export function ActionFilter({ value, known, onApply }: Props) {
  const id = useId();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const action = String(new FormData(event.currentTarget).get('action') ?? '').trim();
    onApply(action);
  };
  return (
    <form className="inline-form filter" onSubmit={submit} role="search" aria-label="Audit log filter">
      <div className="field">
        <label htmlFor={id}>Action</label>
        <input
          id={id}
          name="action"
          defaultValue={value}
          key={value}
          list={`${id}-list`}
          pattern={ACTION.source}
          placeholder="e.g. credential.sealed"
          aria-describedby={`${id}-hint`}
          spellCheck={false}
        />
        <p className="field-hint" id={`${id}-hint`}>
          An action code, such as member.joined. Leave empty for all.
        </p>
        <datalist id={`${id}-list`}>
          {known.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      <Button type="submit">Filter</Button>
      {value && (
        <Button variant="ghost" onClick={() => onApply('')}>
          Clear
        </Button>
      )}
    </form>
  );
}
