import { useEffect, useState } from "preact/hooks";
import { api, type ConsoleUser, type Problem } from "../api.js";
import { Field, fieldError, Notice, PageTitle, ProblemAlert } from "../ui.js";

interface MeView {
  id: number;
  username: string;
  email: string | null;
  about_me: string | null;
}

function ProfileForm({ user }: { user: ConsoleUser }) {
  const [email, setEmail] = useState("");
  const [aboutMe, setAboutMe] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    void api<MeView>("GET", "/api/me").then((result) => {
      if (!result.ok) return setProblem(result.problem);
      setEmail(result.data.email ?? "");
      setAboutMe(result.data.about_me ?? "");
    });
  }, []);

  async function save(event: Event) {
    event.preventDefault();
    const result = await api<MeView>("PATCH", `/api/users/${user.id}`, { email: email.trim() === "" ? null : email.trim(), about_me: aboutMe === "" ? null : aboutMe });
    setProblem(result.ok ? null : result.problem);
    setNotice(result.ok ? "Profile saved" : null);
  }

  return (
    <form class="panel" onSubmit={(event) => void save(event)} aria-labelledby="profile-title" noValidate>
      <h2 id="profile-title">Profile</h2>
      <p>
        Username: <strong>{user.username}</strong>
      </p>
      <ProblemAlert problem={problem} />
      <Field id="profile-email" label="Email" type="email" value={email} onInput={setEmail} autoComplete="email" error={fieldError(problem, "email")} />
      <Field id="profile-about" label="About me" type="textarea" value={aboutMe} onInput={setAboutMe} error={fieldError(problem, "about_me")} />
      <button type="submit">Save profile</button>
      <Notice text={notice} />
    </form>
  );
}

function PasswordForm({ user }: { user: ConsoleUser }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [revokeTokens, setRevokeTokens] = useState(true);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function change(event: Event) {
    event.preventDefault();
    const result = await api("PATCH", `/api/users/${user.id}`, { password: next, current_password: current, revoke_tokens: revokeTokens });
    setProblem(result.ok ? null : result.problem);
    if (result.ok) {
      setCurrent("");
      setNext("");
      setNotice(revokeTokens ? "Password changed. Your other sessions and your personal access tokens were revoked." : "Password changed. Your other sessions were revoked.");
    } else setNotice(null);
  }

  return (
    <form class="panel" onSubmit={(event) => void change(event)} aria-labelledby="password-title" noValidate>
      <h2 id="password-title">Change password</h2>
      <ProblemAlert problem={problem} />
      <Field id="password-current" label="Current password" type="password" value={current} onInput={setCurrent} autoComplete="current-password" error={fieldError(problem, "current_password")} />
      <Field
        id="password-new"
        label="New password"
        type="password"
        value={next}
        onInput={setNext}
        autoComplete="new-password"
        error={fieldError(problem, "password")}
        hint="8 to 1024 characters, not a common password."
      />
      <div class="check">
        <input type="checkbox" id="password-revoke-tokens" checked={revokeTokens} onChange={(event) => setRevokeTokens(event.currentTarget.checked)} />
        <label for="password-revoke-tokens">Also revoke my personal access tokens</label>
      </div>
      <button type="submit">Change password</button>
      <Notice text={notice} />
    </form>
  );
}

/** Profile (email, about me) and password change, each with the API's messages inline. */
export function AccountPage({ user }: { user: ConsoleUser }) {
  return (
    <section aria-labelledby="page-title">
      <PageTitle>Account</PageTitle>
      <ProfileForm user={user} />
      <PasswordForm user={user} />
    </section>
  );
}
