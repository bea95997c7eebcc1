import { useState } from "preact/hooks";
import { api, type ApiResult } from "../api.js";
import { EVENT_TYPES, EventTable, type EventPage } from "../events.js";
import { Field, fieldError, PageTitle, ProblemAlert, useLoad } from "../ui.js";

export const AUDIT_PAGE_SIZE = 20;

/** The filters `GET /api/admin/events` takes, as typed (empty: not filtered). */
export interface AuditFilters {
  user_id: string;
  client_id: string;
  type: string;
  since: string;
  until: string;
}

const NO_FILTERS: AuditFilters = { user_id: "", client_id: "", type: "", since: "", until: "" };

/** Filters named in the view's address (`#/admin/events?user_id=5`), so other pages can link here. */
export function filtersFrom(query: string): AuditFilters {
  const params = new URLSearchParams(query);
  return {
    user_id: params.get("user_id") ?? "",
    client_id: params.get("client_id") ?? "",
    type: params.get("type") ?? "",
    since: params.get("since") ?? "",
    until: params.get("until") ?? "",
  };
}

function queryOf(filters: AuditFilters, cursor: string | null): string {
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  for (const [key, value] of Object.entries(filters)) if (value.trim() !== "") params.set(key, value.trim());
  if (cursor !== null) params.set("cursor", cursor);
  return params.toString();
}

/** Every authentication event, filtered, a page at a time (newest first, through the cursor). */
export function AdminEventsPage({ initial }: { initial: AuditFilters }) {
  const [form, setForm] = useState<AuditFilters>(initial);
  const [applied, setApplied] = useState<AuditFilters>(initial);
  // The cursors of the pages before this one: "Newer" pops one, "Older" pushes the current.
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const query = queryOf(applied, cursor);
  // Each result remembers its query, so a page still loading never shows the previous one's rows under its caption.
  const [loaded, reload] = useLoad(async (): Promise<ApiResult<EventPage & { query: string }>> => {
    const result = await api<EventPage>("GET", `/api/admin/events?${query}`);
    return result.ok ? { ...result, data: { ...result.data, query } } : result;
  }, [query]);
  const events = loaded !== null && (!loaded.ok || loaded.data.query === query) ? loaded : null;

  function submit(event: Event) {
    event.preventDefault();
    // The same filters again: read the newest events anew.
    if (queryOf(form, null) === query) reload();
    setApplied({ ...form });
    setCursors([]);
    setCursor(null);
  }

  function clear() {
    setForm(NO_FILTERS);
    setApplied(NO_FILTERS);
    setCursors([]);
    setCursor(null);
  }

  const set = (key: keyof AuditFilters) => (value: string) => setForm((current) => ({ ...current, [key]: value }));
  const problem = events?.ok === false ? events.problem : null;
  const filtered = Object.values(applied).some((value) => value.trim() !== "");
  const page = cursors.length + 1;
  return (
    <section aria-labelledby="page-title">
      <PageTitle>Audit log</PageTitle>
      <form class="panel filters" onSubmit={submit} aria-labelledby="filters-title" noValidate>
        <h2 id="filters-title">Filter</h2>
        <div class="filter-grid">
          <Field id="filter-user" label="User id" value={form.user_id} onInput={set("user_id")} inputMode="numeric" error={fieldError(problem, "user_id")} />
          <Field id="filter-client" label="Client id" value={form.client_id} onInput={set("client_id")} error={fieldError(problem, "client_id")} hint="tsr_ci_…" />
          <Field id="filter-type" label="Event type" value={form.type} onInput={set("type")} list="event-types" error={fieldError(problem, "type")} hint="e.g. login.failed; several: comma-separated" />
          <Field id="filter-since" label="Since" value={form.since} onInput={set("since")} error={fieldError(problem, "since")} hint="A time (2026-12-04T09:00:00Z) or an age (15m, 1h, 7d)" />
          <Field id="filter-until" label="Until" value={form.until} onInput={set("until")} error={fieldError(problem, "until")} hint="As “Since”; this moment excluded" />
        </div>
        <datalist id="event-types">
          {Object.entries(EVENT_TYPES).map(([type, words]) => (
            <option key={type} value={type}>
              {words}
            </option>
          ))}
        </datalist>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <button type="button" class="secondary" onClick={clear}>
            Clear
          </button>
        </div>
      </form>
      <ProblemAlert problem={problem} />
      {events === null ? <p>Loading…</p> : null}
      {events?.ok === true ? <EventTable events={events.data.items} caption={`${filtered ? "Matching events" : "All events"}, newest first, page ${page}`} admin /> : null}
      {events?.ok === true && (page > 1 || events.data.next_cursor !== null) ? (
        <nav class="pager" aria-label="Pages of events">
          <button
            type="button"
            class="secondary"
            disabled={page <= 1}
            onClick={() => {
              setCursor(cursors.at(-1) ?? null);
              setCursors(cursors.slice(0, -1));
            }}
          >
            Newer
          </button>
          <span>Page {page}</span>
          <button
            type="button"
            class="secondary"
            disabled={events.data.next_cursor === null}
            onClick={() => {
              setCursors([...cursors, cursor]);
              setCursor(events.data.next_cursor);
            }}
          >
            Older
          </button>
        </nav>
      ) : null}
    </section>
  );
}
