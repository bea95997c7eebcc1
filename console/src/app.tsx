import { useEffect, useState } from "preact/hooks";
import { logIn, logOut, onSessionChange, resume, type ConsoleUser, type Problem } from "./api.js";
import { AccountPage } from "./pages/account.js";
import { ActivityPage } from "./pages/activity.js";
import { AdminClientPage, AdminClientsPage } from "./pages/admin-clients.js";
import { AdminEventsPage, filtersFrom } from "./pages/admin-events.js";
import { AdminExplainPage } from "./pages/admin-explain.js";
import { AdminKeysPage } from "./pages/admin-keys.js";
import { AdminUserPage, AdminUsersPage } from "./pages/admin-users.js";
import { SessionsPage } from "./pages/sessions.js";
import { TokensPage } from "./pages/tokens.js";
import { Field, ProblemAlert } from "./ui.js";

/** The view named by the URL fragment (`#/tokens`): the page is one document, views are fragments. */
function useRoute(): string {
  const read = () => location.hash.replace(/^#/, "") || "/sessions";
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

function LoginForm() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    const result = await logIn(username, password);
    setBusy(false);
    if (!result.ok) setProblem(result.problem);
  }

  return (
    <main id="main" class="login">
      <form class="panel" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Tessera</h1>
        <ProblemAlert problem={problem} />
        <Field id="login-username" label="Username" value={username} onInput={setUsername} autoComplete="username" required />
        <Field id="login-password" label="Password" type="password" value={password} onInput={setPassword} autoComplete="current-password" required />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

const USER_LINKS = [
  { href: "#/sessions", label: "Sessions" },
  { href: "#/tokens", label: "Tokens" },
  { href: "#/activity", label: "Activity" },
  { href: "#/account", label: "Account" },
];
const ADMIN_LINKS = [
  { href: "#/admin/users", label: "Users" },
  { href: "#/admin/keys", label: "Signing keys" },
  { href: "#/admin/clients", label: "Machine clients" },
  { href: "#/admin/events", label: "Audit log" },
  { href: "#/admin/explain", label: "Explain a token" },
];

/** A percent-encoded part of the address, or the part as typed when it is not valid encoding (never a throw). */
function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function Page({ route, user }: { route: string; user: ConsoleUser }) {
  const adminUser = /^\/admin\/users\/(\d+)$/.exec(route);
  const adminClient = /^\/admin\/clients\/([^/?]+)$/.exec(route);
  const adminEvents = /^\/admin\/events(?:\?(.*))?$/.exec(route);
  if (route === "/tokens") return <TokensPage />;
  if (route === "/activity") return <ActivityPage />;
  if (route === "/account") return <AccountPage user={user} />;
  if (user.is_admin && route === "/admin/users") return <AdminUsersPage />;
  if (user.is_admin && adminUser !== null) return <AdminUserPage id={Number(adminUser[1])} />;
  if (user.is_admin && route === "/admin/keys") return <AdminKeysPage />;
  if (user.is_admin && route === "/admin/clients") return <AdminClientsPage />;
  if (user.is_admin && adminClient !== null) return <AdminClientPage id={safeDecode(adminClient[1] ?? "")} />;
  // Keyed by the address: a link with other filters opens the page afresh with them.
  if (user.is_admin && adminEvents !== null) return <AdminEventsPage key={route} initial={filtersFrom(adminEvents[1] ?? "")} />;
  if (user.is_admin && route === "/admin/explain") return <AdminExplainPage />;
  return <SessionsPage />;
}

function Shell({ user }: { user: ConsoleUser }) {
  const route = useRoute();
  // Land keyboard and screen-reader users on the new view's heading.
  useEffect(() => {
    document.querySelector<HTMLElement>(".page-title")?.focus();
  }, [route]);
  // A link is the current page for its own view and the views under it (a user, a client, a filtered log).
  const current = (href: string) => {
    const own = href.slice(1);
    return route === own || (own.startsWith("/admin/") && (route.startsWith(`${own}/`) || route.startsWith(`${own}?`))) ? "page" : undefined;
  };
  return (
    <>
      <a class="skip" href="#main" onClick={(event) => {
        event.preventDefault();
        document.querySelector<HTMLElement>(".page-title")?.focus();
      }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Tessera</span>
        <nav aria-label="Console">
          <ul>
            {USER_LINKS.map((link) => (
              <li key={link.href}>
                <a href={link.href} aria-current={current(link.href)}>
                  {link.label}
                </a>
              </li>
            ))}
            {user.is_admin
              ? ADMIN_LINKS.map((link) => (
                  <li key={link.href}>
                    <a href={link.href} aria-current={current(link.href)}>
                      {link.label}
                    </a>
                  </li>
                ))
              : null}
          </ul>
        </nav>
        <span class="who">
          {user.username}
          {user.is_admin ? <span class="badge">admin</span> : null}
        </span>
        <button type="button" class="secondary" onClick={() => void logOut()}>
          Log out
        </button>
      </header>
      <main id="main">
        <Page route={route} user={user} />
      </main>
    </>
  );
}

/** The console: resumes the cookie's session if there is one, else asks to sign in. */
export function App() {
  const [user, setUser] = useState<ConsoleUser | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const stop = onSessionChange(setUser);
    void resume().finally(() => setReady(true));
    return stop;
  }, []);
  if (!ready) return <p class="loading">Loading…</p>;
  return user === null ? <LoginForm /> : <Shell user={user} />;
}
