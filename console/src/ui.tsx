import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import type { ApiResult, Problem } from "./api.js";

/** A time for people: local date and time, or a dash. */
export function formatTime(iso: string | null): string {
  if (iso === null) return "—";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
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
}

/** A labelled input with its hint and its error tied to it (aria-describedby). */
export function Field({ id, label, type = "text", value, onInput, error, hint, required = false, autoComplete }: FieldProps) {
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
