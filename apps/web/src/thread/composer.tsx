import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { t } from '@lingui/core/macro';

let uid = 0;

// Markdown preview: the renderer loads on first use, so readers who never
// preview do not download it.
async function renderPreview(source: string): Promise<string> {
  const { renderComment } = await import('./preview');
  return renderComment(source);
}

// A text box for a comment, a reply or an edit. Ctrl+Enter (or Cmd+Enter) posts.
export function Composer(props: {
  label: string;
  submitLabel: string;
  placeholder?: string;
  initial?: string;
  disabled?: string;
  autoFocus?: boolean;
  onSubmit: (body: string) => Promise<string | null>;
  onCancel?: () => void;
  // More fields of the form (a top-level comment's quote and stance).
  children?: ComponentChildren;
}) {
  const [body, setBody] = useState(props.initial ?? '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<string | null>(null);
  const [id] = useState(() => `composer-${++uid}`);
  const box = useRef<HTMLTextAreaElement>(null);

  const submit = async (event?: Event) => {
    event?.preventDefault();
    if (busy) return;
    if (!body.trim()) {
      setError(t`Write something before posting.`);
      box.current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    const sent = body;
    setBody('');
    setPreview(null);
    const problem = await props.onSubmit(sent);
    setBusy(false);
    if (problem) {
      setBody(sent);
      setError(problem);
      box.current?.focus();
    }
  };

  const togglePreview = async () => {
    if (preview !== null) {
      setPreview(null);
      box.current?.focus();
    } else setPreview(await renderPreview(body));
  };

  if (props.disabled) {
    return (
      <p class="notice" role="status">
        {props.disabled}
      </p>
    );
  }

  return (
    <form class="composer" onSubmit={(e) => void submit(e)}>
      <label for={id} class="visually-hidden">
        {props.label}
      </label>
      {preview === null ? (
        <textarea
          id={id}
          dir="auto"
          ref={box}
          value={body}
          placeholder={props.placeholder ?? props.label}
          rows={body.split('\n').length > 3 ? 6 : 3}
          autoFocus={props.autoFocus}
          aria-describedby={error ? `${id}-error` : `${id}-hint`}
          aria-invalid={error ? true : undefined}
          onInput={(e) => setBody(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
            if (e.key === 'Escape' && props.onCancel) props.onCancel();
          }}
        />
      ) : (
        <div
          class="preview body"
          aria-label={t`Preview`}
          role="region"
          dangerouslySetInnerHTML={{ __html: preview || `<p class="muted">${escapeHtml(t`Nothing to preview`)}</p>` }}
        />
      )}
      {error ? (
        <p class="error" role="alert" id={`${id}-error`}>
          {error}
        </p>
      ) : (
        <p class="hint" id={`${id}-hint`}>
          {t({ message: 'Markdown: *italic*, **bold**, > quote, `code`, links. Ctrl+Enter to post.' })}
        </p>
      )}
      {props.children}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {props.submitLabel}
        </button>
        <button type="button" aria-pressed={preview !== null} onClick={() => void togglePreview()}>
          {t`Preview`}
        </button>
        {props.onCancel && (
          <button type="button" class="link" onClick={props.onCancel}>
            {t`Cancel`}
          </button>
        )}
      </div>
    </form>
  );
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
