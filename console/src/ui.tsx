import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { ApiResult, Problem } from "./api.js";

/** A time for people: local date and time (with seconds for events in a log), or a dash. */
export function formatTime(iso: string | null, { seconds = false }: { seconds?: boolean } = {}): string {
  if (iso === null) return "—";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: seconds ? "medium" : "short" });
}

/** The message of a field's error in a 400 problem, if the problem names that field. */
export function fieldError(problem: Problem | null, field: string): string | undefined {
  const error = problem?.errors?.find((entry) => entry.field === field);
  return error === undefined ? undefined : `${labelOf(field)} ${error.message}`;
}

function labelOf(field: string): string {
  const words = field.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What the API said went wrong: its `detail`, else its title. */
export function ProblemAlert({ problem }: { problem: Problem | null }) {
  if (problem === null) return null;
  return (
    <p class="alert" role="alert">
      {problem.detail ?? problem.title ?? `Error ${problem.status}`}
    </p>
  );
}

/** A status line read out by screen readers when it changes (e.g. "Session revoked"). */
export function Notice({ text }: { text: string | null }) {
  return (
    <p class="notice" role="status" aria-live="polite">
      {text ?? ""}
    </p>
  );
}

interface FieldProps {
  id: string;
  label: string;
  type?: "text" | "password" | "email" | "search" | "textarea";
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  required?: boolean;
  autoComplete?: string;
  inputMode?: "numeric" | "text";
  /** The id of a <datalist> of suggestions. */
  list?: string;
}

/** A labelled input with its hint and its error tied to it (aria-describedby). */
export function Field({ id, label, type = "text", value, onInput, error, hint, required = false, autoComplete, inputMode, list }: FieldProps) {
  const described = [hint === undefined ? "" : `${id}-hint`, error === undefined ? "" : `${id}-error`].filter((part) => part !== "").join(" ");
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {type === "textarea" ? (
        <textarea id={id} value={value} onInput={(event) => onInput(event.currentTarget.value)} aria-invalid={error !== undefined} aria-describedby={described || undefined} />
      ) : (
        <input
          id={id}
          name={id}
          // Preact types each input type's attributes apart; the ones used here share them all.
          type={type as "text"}
          value={value}
          required={required}
          autoComplete={autoComplete}
          inputMode={inputMode}
          list={list}
          onInput={(event) => onInput(event.currentTarget.value)}
          aria-invalid={error !== undefined}
          aria-describedby={described || undefined}
        />
      )}
      {hint === undefined ? null : (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error === undefined ? null : (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** Loads `load()` on mount and whenever `reload` is called; the result and a reload function. */
export function useLoad<T>(load: () => Promise<ApiResult<T>>, deps: unknown[]): [ApiResult<T> | null, () => void] {
  const [result, setResult] = useState<ApiResult<T> | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    void load().then((loaded) => {
      if (live) setResult(loaded);
    });
    return () => {
      live = false;
    };
    // The caller names the inputs in `deps`; `load` itself is a fresh closure each render.
  }, [...deps, tick]);
  return [result, useCallback(() => setTick((value) => value + 1), [])];
}

/** A page's heading, focused when the page opens so keyboard and screen-reader users land on it. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  return (
    <h1 tabIndex={-1} class="page-title" id="page-title">
      {children}
    </h1>
  );
}

interface SecretPanelProps {
  /** The panel's heading, e.g. "Token “deploy” created". */
  title: string;
  /** The input's label (visually hidden), e.g. "The new token". */
  label: string;
  id: string;
  secret: string;
  children?: ComponentChildren;
  onDone: () => void;
}

/** A secret shown this once, with a copy button (and a selected field when the clipboard is refused). */
export function SecretPanel({ title, label, id, secret, children, onDone }: SecretPanelProps) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("Copied to the clipboard");
    } catch {
      // No clipboard permission: select the text so Ctrl+C copies it.
      input.current?.select();
      setCopied("Press Ctrl+C (or ⌘C) to copy the selected secret");
    }
  }
  return (
    <div class="panel success" role="region" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
      <p>Copy it now: it is shown this once and cannot be retrieved later.</p>
      <div class="copy-row">
        <label for={id} class="visually-hidden">
          {label}
        </label>
        <input id={id} ref={input} readOnly value={secret} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <Notice text={copied} />
      <button type="button" class="secondary" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
