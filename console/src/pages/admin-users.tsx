import { useState } from "preact/hooks";
import { api, type ApiResult, type Problem } from "../api.js";
import { Field, fieldError, formatTime, Notice, PageTitle, ProblemAlert, useLoad } from "../ui.js";
import { SessionTable, type SessionView } from "./sessions.js";
import { TokenTable, type TokenView } from "./tokens.js";

export interface AdminUser {
  id: number;
  username: string;
  email: string | null;
  about_me: string | null;
  is_admin: boolean;
  created_at: string;
  last_seen: string | null;
}

interface UserPage {
  items: AdminUser[];
  _meta: { page: number; per_page: number; total_pages: number; total_items: number };
}

const PER_PAGE = 20;

/** Users by username or email, a page at a time; each links to its own page. */
export function AdminUsersPage() {
  const [query, setQuery] = useState("");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [users] = useLoad(
    () => api<UserPage>("GET", `/api/admin/users?page=${page}&per_page=${PER_PAGE}${search === "" ? "" : `&q=${encodeURIComponent(search)}`}`),
    [page, search],
  );

  function submit(event: Event) {
    event.preventDefault();
    setSearch(query.trim());
    setPage(1);
  }

  const meta = users?.ok === true ? users.data._meta : null;
  return (
    <section aria-labelledby="page-title">
      <PageTitle>Users</PageTitle>
      <form class="search" role="search" onSubmit={submit}>
        <Field id="user-search" label="Search by username or email" type="search" value={query} onInput={setQuery} />
        <button type="submit">Search</button>
      </form>
      {users?.ok === false ? <ProblemAlert problem={users.problem} /> : null}
      {users?.ok === true ? (
        users.data.items.length === 0 ? (
          <p>No users match.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption>
                {meta === null ? "" : `${meta.total_items} user${meta.total_items === 1 ? "" : "s"}${search === "" ? "" : ` matching “${search}”`}`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((user) => (
                  <tr key={user.id}>
                    <td data-label="Username">
                      <a href={`#/admin/users/${user.id}`}>{user.username}</a>
                    </td>
                    <td data-label="Email">{user.email ?? "—"}</td>
                    <td data-label="Role">{user.is_admin ? "Admin" : "User"}</td>
                    <td data-label="Joined">{formatTime(user.created_at)}</td>
                    <td data-label="Last seen">{formatTime(user.last_seen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
      {meta !== null && meta.total_pages > 1 ? (
        <nav class="pager" aria-label="Pages of users">
          <button type="button" class="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span>
            Page {meta.page} of {meta.total_pages}
          </span>
          <button type="button" class="secondary" disabled={page >= meta.total_pages} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </nav>
      ) : null}
    </section>
  );
}

/** One user: details, sessions, tokens; reset password, revoke everything, delete. */
export function AdminUserPage({ id }: { id: number }) {
  const [user] = useLoad(() => api<AdminUser>("GET", `/api/admin/users/${id}`), [id]);
  const [sessions, reloadSessions] = useLoad(() => api<SessionView[]>("GET", `/api/admin/users/${id}/sessions`), [id]);
  const [tokens, reloadTokens] = useLoad(() => api<TokenView[]>("GET", `/api/admin/users/${id}/tokens`), [id]);
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleted, setDeleted] = useState(false);

  function settle(result: ApiResult<unknown>, success: string) {
    setProblem(result.ok ? null : result.problem);
    setNotice(result.ok ? success : null);
    reloadSessions();
    reloadTokens();
  }

  async function resetPassword(event: Event) {
    event.preventDefault();
    const result = await api("PATCH", `/api/users/${id}`, { password });
    if (result.ok) setPassword("");
    settle(result, "Password reset. Every session and personal access token of the user was revoked.");
  }

  async function revokeAll() {
    const result = await api<{ sessions_revoked: number; tokens_revoked: number }>("POST", `/api/admin/users/${id}/revoke-all`);
    settle(result, result.ok ? `Revoked ${result.data.sessions_revoked} session(s) and ${result.data.tokens_revoked} token(s)` : "");
  }

  async function remove() {
    const result = await api("DELETE", `/api/users/${id}`);
    setProblem(result.ok ? null : result.problem);
    if (result.ok) setDeleted(true);
  }

  if (user === null) return <p>Loading…</p>;
  if (!user.ok) return <ProblemAlert problem={user.problem} />;
  const name = user.data.username;
  if (deleted) {
    return (
      <section aria-labelledby="page-title">
        <PageTitle>User deleted</PageTitle>
        <p role="status">{name} and everything they held are gone.</p>
        <a href="#/admin/users">Back to users</a>
      </section>
    );
  }
  return (
    <section aria-labelledby="page-title">
      <p>
        <a href="#/admin/users">← Users</a>
      </p>
      <PageTitle>{name}</PageTitle>
      <dl class="details">
        <dt>Email</dt>
        <dd>{user.data.email ?? "—"}</dd>
        <dt>Role</dt>
        <dd>{user.data.is_admin ? "Admin" : "User"}</dd>
        <dt>Joined</dt>
        <dd>{formatTime(user.data.created_at)}</dd>
        <dt>Last seen</dt>
        <dd>{formatTime(user.data.last_seen)}</dd>
      </dl>
      <p>
        <a href={`#/admin/events?user_id=${id}`}>Audit events of {name}</a>
      </p>
      <ProblemAlert problem={problem} />
      <Notice text={notice} />

      <h2>Sessions</h2>
      {sessions?.ok === true ? <SessionTable sessions={sessions.data} caption={`Sessions of ${name}`} /> : null}
      <h2>Personal access tokens</h2>
      {tokens?.ok === true ? <TokenTable tokens={tokens.data} caption={`Personal access tokens of ${name}`} /> : null}

      <form class="panel" onSubmit={(event) => void resetPassword(event)} aria-labelledby="reset-title" noValidate>
        <h2 id="reset-title">Reset password</h2>
        <Field
          id="reset-password"
          label={`New password for ${name}`}
          type="password"
          value={password}
          onInput={setPassword}
          autoComplete="new-password"
          error={fieldError(problem, "password")}
          hint="Signs the user out everywhere and revokes their personal access tokens."
        />
        <button type="submit">Reset password</button>
      </form>

      <div class="panel danger-zone">
        <h2>Danger zone</h2>
        <button type="button" class="danger" onClick={() => void revokeAll()}>
          Revoke all sessions and tokens
        </button>
        {confirmDelete ? (
          <div class="confirm" role="group" aria-label={`Confirm deleting ${name}`}>
            <p>Delete {name}, their posts and every token? This cannot be undone.</p>
            <button type="button" class="danger" onClick={() => void remove()}>
              Yes, delete {name}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
            Delete user…
          </button>
        )}
      </div>
    </section>
  );
}
