import { useState } from "preact/hooks";
import { api, type Problem } from "../api.js";
import { formatTime, Notice, PageTitle, ProblemAlert, useLoad } from "../ui.js";

interface SigningKey {
  kid: string;
  alg: string;
  status: "signing" | "standby" | "retired" | "expired";
  created_at: string;
  retired_at: string | null;
  expires_at: string | null;
}

/** The JWT signing keys and rotation (as `tessera keys list` / `keys rotate`). */
export function AdminKeysPage() {
  const [keys, reload] = useLoad(() => api<SigningKey[]>("GET", "/api/admin/keys"), []);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function rotate() {
    const result = await api<SigningKey>("POST", "/api/admin/keys/rotate");
    setProblem(result.ok ? null : result.problem);
    setNotice(result.ok ? `Now signing with ${result.data.kid}` : null);
    reload();
  }

  return (
    <section aria-labelledby="page-title">
      <PageTitle>Signing keys</PageTitle>
      <p>Access tokens are signed by the newest key. After a rotation, older keys keep verifying until every token they signed has expired.</p>
      <ProblemAlert problem={problem ?? (keys?.ok === false ? keys.problem : null)} />
      <Notice text={notice} />
      {keys?.ok === true ? (
        <div class="table-wrap">
          <table>
            <caption>Signing keys, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">Algorithm</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Retires</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((key) => (
                <tr key={key.kid}>
                  <td data-label="Key id">
                    <code>{key.kid}</code>
                  </td>
                  <td data-label="Algorithm">{key.alg}</td>
                  <td data-label="Status">{key.status}</td>
                  <td data-label="Created">{formatTime(key.created_at)}</td>
                  <td data-label="Retires">{key.expires_at === null ? "—" : formatTime(key.expires_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <button type="button" onClick={() => void rotate()}>
        Rotate signing key
      </button>
    </section>
  );
}
