// Audit events for people: the type in words, and one table shared by a user's own activity
// page and the admin's audit log.
import { describeDevice } from "./device.js";
import { formatTime } from "./ui.js";

/** One audit event as `GET /api/me/events` and `GET /api/admin/events` send it. */
export interface AuditEvent {
  id: number;
  at: string;
  type: string;
  actor: { type: "user" | "client" | "operator" | "anonymous"; id: string | null };
  user_id: number | null;
  client_id: string | null;
  session_id: number | null;
  subject: string | null;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  via: string | null;
  count: number;
}

export interface EventPage {
  items: AuditEvent[];
  next_cursor: string | null;
}

/** The event types the server records (docs/core.md, audit log), in words. */
export const EVENT_TYPES: Record<string, string> = {
  "login.succeeded": "Signed in",
  "login.failed": "Sign-in failed",
  "session.started": "Session started",
  "token.refreshed": "Session refreshed",
  "refresh.reuse_detected": "Spent refresh token used again",
  logout: "Signed out",
  "session.revoked": "Session revoked",
  "access_token.revoked": "Access token revoked",
  "pat.created": "Personal access token created",
  "pat.revoked": "Personal access token revoked",
  "token.created": "App token created",
  "token.revoked": "App token revoked",
  "user.created": "Account created",
  "user.deleted": "Account deleted",
  "user.tokens_revoked": "All sessions and tokens revoked",
  "password.changed": "Password changed",
  "client.created": "Machine client created",
  "client.revoked": "Machine client revoked",
  "client.secret_rotated": "Client secret rotated",
  "client.secret_revoked": "Client secret revoked",
  "client.token_issued": "Client token issued",
  "client.auth_failed": "Client authentication failed",
  "key.rotated": "Signing key rotated",
  "rate_limit.refused": "Refused by a rate limit",
};

/** Failure reasons in words; an unknown one is shown as it is. */
const REASONS: Record<string, string> = {
  unknown_user: "unknown user",
  wrong_password: "wrong password",
  invalid_scope: "scope not allowed",
  password_changed_meanwhile: "password changed meanwhile",
  reuse_detected: "refresh token reused",
  unknown_client: "unknown client",
  malformed_secret: "malformed secret",
  wrong_secret: "wrong secret",
  client_revoked: "client revoked",
};

/** "Sign-in failed: wrong password", "Signed in", or the raw type for one of the app's own. */
export function describeEvent(event: Pick<AuditEvent, "type" | "reason" | "count">): string {
  const words = EVENT_TYPES[event.type] ?? event.type;
  const reason = event.reason === null ? "" : `: ${REASONS[event.reason] ?? event.reason.replace(/_/g, " ")}`;
  const times = event.count > 1 ? ` (${event.count} times)` : "";
  return `${words}${reason}${times}`;
}

/** Who did it: "you", a user, a client, the CLI, or nobody known. */
function describeActor(actor: AuditEvent["actor"]): string {
  if (actor.type === "operator") return "Operator (CLI)";
  if (actor.type === "anonymous") return "Anonymous";
  if (actor.type === "client") return `Client ${actor.id ?? ""}`.trim();
  return `User ${actor.id ?? ""}`.trim();
}

interface EventTableProps {
  events: AuditEvent[];
  caption: string;
  /** The admin's log shows whose event it was and who acted; a user's own activity does not. */
  admin?: boolean;
}

/** Events newest first: when, what (in words, with the type to filter by), from where, how. */
export function EventTable({ events, caption, admin = false }: EventTableProps) {
  if (events.length === 0) return <p>No events.</p>;
  return (
    <div class="table-wrap">
      <table class="events">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            {admin ? <th scope="col">User, client</th> : null}
            {admin ? <th scope="col">By</th> : null}
            <th scope="col">IP address</th>
            <th scope="col">Device</th>
            <th scope="col">Via</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id}>
              <td data-label="Time">
                <time dateTime={event.at}>{formatTime(event.at, { seconds: true })}</time>
              </td>
              <td data-label="Event">
                {describeEvent(event)}
                <br />
                <code class="event-type">{event.type}</code>
                {event.subject === null ? null : <span class="event-subject"> {event.subject}</span>}
              </td>
              {admin ? (
                <td data-label="User, client">
                  {event.user_id === null ? "—" : <a href={`#/admin/users/${event.user_id}`} aria-label={`User ${event.user_id}`}>{`#${event.user_id}`}</a>}
                  {event.client_id === null ? null : (
                    <>
                      {" "}
                      <a href={`#/admin/clients/${encodeURIComponent(event.client_id)}`}>
                        <code>{event.client_id}</code>
                      </a>
                    </>
                  )}
                </td>
              ) : null}
              {admin ? <td data-label="By">{describeActor(event.actor)}</td> : null}
              <td data-label="IP address">{event.ip ?? "—"}</td>
              <td data-label="Device">{event.user_agent === null ? "—" : describeDevice(event.user_agent)}</td>
              <td data-label="Via">{event.via === null ? "—" : <code>{event.via}</code>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
