// One labelled text field of a dialog: the label, the input (or a text area), an optional hint
// and the field's error, announced and tied to the input for screen readers.
import { createUniqueId, Show } from "solid-js";

export function TextField(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  error?: string | null;
  placeholder?: string;
  maxLength?: number;
  /** An address or a nickname: no spelling fixes or capitals. */
  plain?: boolean;
  multiline?: boolean;
  /** A password: its characters hidden. */
  secret?: boolean;
  ref?: (el: HTMLInputElement | HTMLTextAreaElement) => void;
}) {
  const id = createUniqueId();
  const described = () =>
    [props.error ? `${id}-error` : null, props.hint ? `${id}-hint` : null]
      .filter(Boolean)
      .join(" ") || undefined;
  const common = () => ({
    id,
    autocomplete: "off",
    placeholder: props.placeholder,
    maxLength: props.maxLength,
    "aria-invalid": props.error ? ("true" as const) : undefined,
    "aria-describedby": described(),
  });
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <Show
        when={props.multiline}
        fallback={
          <input
            {...common()}
            ref={(el) => props.ref?.(el)}
            type={props.secret ? "password" : "text"}
            autocapitalize={props.plain ? "off" : undefined}
            spellcheck={props.plain ? false : undefined}
            value={props.value}
            onInput={(e) => props.onInput(e.currentTarget.value)}
          />
        }
      >
        <textarea
          {...common()}
          ref={(el) => props.ref?.(el)}
          rows={3}
          value={props.value}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      </Show>
      <Show when={props.error}>
        {(message) => (
          <p id={`${id}-error`} class="field-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
      <Show when={props.hint}>
        <p id={`${id}-hint`} class="field-hint">
          {props.hint}
        </p>
      </Show>
    </div>
  );
}
