import { useState } from "preact/hooks";
import { api, type Problem } from "../api.js";
import { describeDevice } from "../device.js";
import { formatTime, Notice, PageTitle, ProblemAlert, useLoad } from "../ui.js";

export interface SessionView {
  id: number;
  created_at: string;
  last_used_at: string;
  user_agent: string | null;
  ip: string | null;
  current?: boolean;
}

/** A table of sessions; `onRevoke` adds a revoke button to each row but the current one. */
export function SessionTable({ sessions, onRevoke, caption }: { sessions: SessionView[]; onRevoke?: (session: SessionView) => void; caption: string }) {
  if (sessions.length === 0) return <p>No live sessions.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">IP address</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last used</th>
            {onRevoke === undefined ? null : <th scope="col"><span class="visually-hidden">Actions</span></th>}
          </tr>
        </thead>
        <tbody>
          {sessions.map((session) => (
            <tr key={session.id} data-session-id={session.id}>
              <td data-label="Device">
                <span title={session.user_agent ?? ""}>{describeDevice(session.user_agent)}</span>
                {session.current === true ? <span class="badge">This device</span> : null}
              </td>
              <td data-label="IP address">{session.ip ?? "—"}</td>
              <td data-label="Signed in">{formatTime(session.created_at)}</td>
              <td data-label="Last used">{formatTime(session.last_used_at)}</td>
              {onRevoke === undefined ? null : (
                <td>
                  {session.current === true ? null : (
                    <button type="button" class="danger" onClick={() => onRevoke(session)} aria-label={`Revoke session on ${describeDevice(session.user_agent)} from ${session.ip ?? "unknown address"}, signed in ${formatTime(session.created_at)}`}>
                      Revoke
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The user's own sessions: this device marked, revoke one, log out everywhere else. */
export function SessionsPage() {
  const [sessions, reload] = useLoad(() => api<SessionView[]>("GET", "/api/me/sessions"), []);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function revoke(session: SessionView) {
    const result = await api("DELETE", `/api/me/sessions/${session.id}`);
    setProblem(result.ok ? null : result.problem);
    if (result.ok) setNotice(`Session on ${describeDevice(session.user_agent)} revoked`);
    reload();
  }

  async function revokeOthers() {
    const result = await api("DELETE", "/api/me/sessions/others");
    setProblem(result.ok ? null : result.problem);
    if (result.ok) setNotice("Logged out everywhere else");
    reload();
  }

  const others = sessions?.ok === true ? sessions.data.filter((session) => session.current !== true).length : 0;
  return (
    <section aria-labelledby="page-title">
      <PageTitle>Sessions</PageTitle>
      <p>Every browser or app signed in to your account. Revoking a session signs it out at once.</p>
      <ProblemAlert problem={problem ?? (sessions?.ok === false ? sessions.problem : null)} />
      <Notice text={notice} />
      {sessions?.ok === true ? (
        <>
          <SessionTable sessions={sessions.data} onRevoke={(session) => void revoke(session)} caption="Your sessions, newest first" />
          <button type="button" class="danger" disabled={others === 0} onClick={() => void revokeOthers()}>
            Log out everywhere else
          </button>
        </>
      ) : null}
    </section>
  );
}
