import { useState } from "preact/hooks";
import { api, type Problem } from "../api.js";
import { formatTime, PageTitle, ProblemAlert } from "../ui.js";

interface Explanation {
  accepted: boolean;
  code: string | null;
  kind: string;
  explanation: string[];
  user_id: string | null;
  client_id: string | null;
  session_id: number | null;
  token_id: number | null;
  jti: string | null;
  scopes: string[];
  issued_at: string | null;
  expires_at: string | null;
}

const KINDS: Record<string, string> = {
  access_token: "Access token",
  client_token: "Machine client's access token",
  personal_access_token: "Personal access token",
  app_token: "App token",
  refresh_token: "Refresh token",
  client_secret: "Client secret (not a token)",
  unknown: "Not a token this server knows",
};

/** Why a token is accepted or refused (`POST /api/admin/explain`); reads only, changes nothing. */
export function AdminExplainPage() {
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [explained, setExplained] = useState<Explanation | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const result = await api<Explanation>("POST", "/api/admin/explain", { token: token.trim() });
    setProblem(result.ok ? null : result.problem);
    setExplained(result.ok ? result.data : null);
  }

  return (
    <section aria-labelledby="page-title">
      <PageTitle>Explain a token</PageTitle>
      <p>A client refused with 401 only learns the code. Paste the token here to see why, in words. Nothing is used, stamped or revoked.</p>
      <form class="panel" onSubmit={(event) => void submit(event)} noValidate>
        <div class="field">
          <label for="explain-token">Token</label>
          <textarea id="explain-token" value={token} spellcheck={false} autoComplete="off" onInput={(event) => setToken(event.currentTarget.value)} aria-describedby="explain-token-hint" />
          <p class="hint" id="explain-token-hint">
            An access token, a personal access token, a refresh token, a client token: any string.
          </p>
        </div>
        <button type="submit">Explain</button>
      </form>
      <ProblemAlert problem={problem} />
      {explained === null ? null : (
        <div class={`panel ${explained.accepted ? "success" : "refused"}`} role="region" aria-labelledby="verdict-title" aria-live="polite">
          <h2 id="verdict-title">{explained.accepted ? "Accepted" : `Refused: ${explained.code ?? "unknown"}`}</h2>
          <ul class="explanation">
            {explained.explanation.map((line, index) => (
              <li key={index}>{line}</li>
            ))}
          </ul>
          <dl class="details">
            <dt>Kind</dt>
            <dd>{KINDS[explained.kind] ?? explained.kind}</dd>
            {explained.user_id === null ? null : (
              <>
                <dt>User</dt>
                <dd>{/^\d+$/.test(explained.user_id) ? <a href={`#/admin/users/${explained.user_id}`}>{`#${explained.user_id}`}</a> : explained.user_id}</dd>
              </>
            )}
            {explained.client_id === null ? null : (
              <>
                <dt>Client</dt>
                <dd>
                  <a href={`#/admin/clients/${encodeURIComponent(explained.client_id)}`}>
                    <code>{explained.client_id}</code>
                  </a>
                </dd>
              </>
            )}
            {explained.scopes.length === 0 ? null : (
              <>
                <dt>Scopes</dt>
                <dd>
                  {explained.scopes.map((scope) => (
                    <code key={scope} class="scope">
                      {scope}
                    </code>
                  ))}
                </dd>
              </>
            )}
            {explained.issued_at === null ? null : (
              <>
                <dt>Issued</dt>
                <dd>{formatTime(explained.issued_at)}</dd>
              </>
            )}
            {explained.expires_at === null ? null : (
              <>
                <dt>Expires</dt>
                <dd>{formatTime(explained.expires_at)}</dd>
              </>
            )}
          </dl>
        </div>
      )}
    </section>
  );
}
