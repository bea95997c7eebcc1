import { useEffect, useState } from "preact/hooks";
import { api, type Problem } from "../api.js";
import { EventTable, type AuditEvent, type EventPage } from "../events.js";
import { PageTitle, ProblemAlert } from "../ui.js";

/** Events a page; "Show more" reads the next older page through the cursor. */
export const ACTIVITY_PAGE_SIZE = 10;

/** The user's own recent authentication events (`GET /api/me/events`), newest first. */
export function ActivityPage() {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function load(after: string | null) {
    setBusy(true);
    const result = await api<EventPage>("GET", `/api/me/events?limit=${ACTIVITY_PAGE_SIZE}${after === null ? "" : `&cursor=${encodeURIComponent(after)}`}`);
    setBusy(false);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setProblem(null);
    setEvents((current) => (after === null || current === null ? result.data.items : [...current, ...result.data.items]));
    setCursor(result.data.next_cursor);
  }

  useEffect(() => {
    void load(null);
  }, []);

  return (
    <section aria-labelledby="page-title">
      <PageTitle>Recent activity</PageTitle>
      <p>Sign-ins, refreshes, revocations and changes to your account, newest first. Something you do not recognise? Revoke that session on the Sessions page and change your password.</p>
      <ProblemAlert problem={problem} />
      {events === null ? <p>Loading…</p> : <EventTable events={events} caption="Your recent authentication events" />}
      {cursor === null ? null : (
        <button type="button" class="secondary" disabled={busy} onClick={() => void load(cursor)}>
          Show more
        </button>
      )}
    </section>
  );
}
