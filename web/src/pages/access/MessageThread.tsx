import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import type { SupportMessage } from '../../api/types';
import { Button } from '../../components/Button';
import { TextAreaField } from '../../components/TextAreaField';
import { formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Time } from '../../components/Time';

interface Props {
  messages: readonly SupportMessage[];
  /** Who reads the thread, so their own messages say "You". */
  selfId: string;
  /** Null when the request is closed (no more replies). */
  onReply: ((body: string) => Promise<unknown>) | null;
}

/** A request's conversation, oldest first, with a reply box while it is open. */
export function MessageThread({ messages, selfId, onReply }: Props) {
  const reply = useMutation({ mutationFn: (body: string) => onReply?.(body) ?? Promise.resolve(), gcTime: 0 });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const body = formValue(new FormData(form), 'body').trim();
    if (!body) return;
    reply.mutate(body, { onSuccess: () => form.reset() });
  };
  return (
    <section className="section" aria-labelledby="messages">
      <h2 id="messages">Messages</h2>
      <ol className="thread" aria-live="polite">
        {messages.map((m) => (
          <li key={m.id} className={m.author.id === selfId ? 'message mine' : 'message'}>
            <p className="message-head">
              <strong>{m.author.id === selfId ? 'You' : m.author.name}</strong>
              {m.author.kind === 'staff' && m.author.id !== selfId && (
                <span className="muted small"> (staff)</span>
              )}{' '}
              <span className="muted small">
                <Time iso={m.at} />
              </span>
            </p>
            <p className="message-body">{m.body}</p>
          </li>
        ))}
      </ol>
      {onReply && (
        <form method="post" onSubmit={submit} className="stack">
          <TextAreaField label="Reply" name="body" rows={3} required maxLength={10_000} />
          <ErrorNotice error={reply.error} title="The reply was not sent" />
          <div className="row">
            <Button type="submit" variant="primary" busy={reply.isPending} busyLabel="Sending">
              Send reply
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
