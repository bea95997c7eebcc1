import { useState } from "preact/hooks";
import { api, grantedScopes, type Problem } from "../api.js";
import { Field, fieldError, formatTime, Notice, PageTitle, ProblemAlert, SecretPanel, useLoad } from "../ui.js";

export interface TokenView {
  id: number;
  name: string;
  scope: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

interface CreatedToken extends TokenView {
  token: string;
}

/** Expiry choices, in seconds (null: never); the API's longest is one year. */
const EXPIRIES: { label: string; seconds: number | null }[] = [
  { label: "7 days", seconds: 7 * 86400 },
  { label: "30 days", seconds: 30 * 86400 },
  { label: "90 days", seconds: 90 * 86400 },
  { label: "1 year", seconds: 365 * 86400 },
  { label: "Never", seconds: null },
];

/** A table of personal access tokens; `onRevoke` adds a revoke button to each row. */
export function TokenTable({ tokens, onRevoke, caption }: { tokens: TokenView[]; onRevoke?: (token: TokenView) => void; caption: string }) {
  if (tokens.length === 0) return <p>No personal access tokens.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            {onRevoke === undefined ? null : <th scope="col"><span class="visually-hidden">Actions</span></th>}
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id}>
              <td data-label="Name">{token.name}</td>
              <td data-label="Scopes">
                {token.scope.split(" ").map((scope) => (
                  <code key={scope} class="scope">
                    {scope}
                  </code>
                ))}
              </td>
              <td data-label="Created">{formatTime(token.created_at)}</td>
              <td data-label="Last used">{token.last_used_at === null ? "Never" : formatTime(token.last_used_at)}</td>
              <td data-label="Expires">{token.expires_at === null ? "Never" : formatTime(token.expires_at)}</td>
              {onRevoke === undefined ? null : (
                <td>
                  <button type="button" class="danger" onClick={() => onRevoke(token)} aria-label={`Revoke token ${token.name}`}>
                    Revoke
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The user's personal access tokens: list, create (scopes, expiry), revoke. */
export function TokensPage() {
  const [tokens, reload] = useLoad(() => api<TokenView[]>("GET", "/api/me/tokens"), []);
  const scopes = grantedScopes();
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [expiry, setExpiry] = useState("90 days");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function create(event: Event) {
    event.preventDefault();
    const seconds = EXPIRIES.find((choice) => choice.label === expiry)?.seconds ?? null;
    const body = { name, scope: chosen.join(" "), expires_in: seconds, ...(password === "" ? {} : { password }) };
    const result = await api<CreatedToken>("POST", "/api/me/tokens", body);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setProblem(null);
    setCreated(result.data);
    setName("");
    setChosen([]);
    setPassword("");
    reload();
  }

  async function revoke(token: TokenView) {
    const result = await api("DELETE", `/api/me/tokens/${token.id}`);
    setProblem(result.ok ? null : result.problem);
    if (result.ok) setNotice(`Token ${token.name} revoked`);
    reload();
  }

  const toggle = (scope: string, on: boolean) => setChosen((current) => (on ? [...current, scope] : current.filter((item) => item !== scope)));
  return (
    <section aria-labelledby="page-title">
      <PageTitle>Personal access tokens</PageTitle>
      <p>Tokens for scripts and tools, sent as <code>Authorization: Bearer tsr_pat_…</code>. Each holds only the scopes you give it.</p>
      <Notice text={notice} />
      {tokens?.ok === false ? <ProblemAlert problem={tokens.problem} /> : null}
      {tokens?.ok === true ? <TokenTable tokens={tokens.data} onRevoke={(token) => void revoke(token)} caption="Your personal access tokens" /> : null}

      {created === null ? null : (
        <SecretPanel id="new-token-value" title={`Token “${created.name}” created`} label="The new token" secret={created.token} onDone={() => setCreated(null)} />
      )}

      <form class="panel" onSubmit={(event) => void create(event)} aria-labelledby="create-token-title" noValidate>
        <h2 id="create-token-title">Create a token</h2>
        <ProblemAlert problem={problem} />
        <Field id="token-name" label="Name" value={name} onInput={setName} required error={fieldError(problem, "name")} hint="What the token is for, e.g. “deploy script”." />
        <fieldset aria-describedby={fieldError(problem, "scope") === undefined ? undefined : "token-scope-error"}>
          <legend>Scopes</legend>
          {scopes.map((scope) => (
            <div class="check" key={scope}>
              <input type="checkbox" id={`scope-${scope}`} checked={chosen.includes(scope)} onChange={(event) => toggle(scope, event.currentTarget.checked)} />
              <label for={`scope-${scope}`}>{scope}</label>
            </div>
          ))}
          {fieldError(problem, "scope") === undefined ? null : (
            <p class="field-error" id="token-scope-error">
              {fieldError(problem, "scope")}
            </p>
          )}
        </fieldset>
        <div class="field">
          <label for="token-expiry">Expires after</label>
          <select id="token-expiry" value={expiry} onChange={(event) => setExpiry(event.currentTarget.value)}>
            {EXPIRIES.map((choice) => (
              <option key={choice.label} value={choice.label}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <Field
          id="token-password"
          label="Current password"
          type="password"
          value={password}
          onInput={setPassword}
          autoComplete="current-password"
          error={fieldError(problem, "password")}
          hint="Needed unless you logged in less than 5 minutes ago."
        />
        <button type="submit">Create token</button>
      </form>
    </section>
  );
}
