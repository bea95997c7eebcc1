import { useState } from "preact/hooks";
import { api, grantedScopes, type ApiResult, type Problem } from "../api.js";
import { Field, fieldError, formatTime, Notice, PageTitle, ProblemAlert, SecretPanel, useLoad } from "../ui.js";

interface MachineClient {
  client_id: string;
  name: string;
  scope: string;
  owner_id: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  secrets?: { id: number; created_at: string; last_used_at: string | null }[];
}

interface CreatedClient extends MachineClient {
  client_secret: string;
  secret_id: number;
}

interface RotatedSecret {
  client_id: string;
  client_secret: string;
  secret_id: number;
  revoked_secret_ids: number[];
}

function Scopes({ scope }: { scope: string }) {
  const scopes = scope.split(" ").filter((item) => item !== "");
  if (scopes.length === 0) return <>none</>;
  return (
    <>
      {scopes.map((item) => (
        <code key={item} class="scope">
          {item}
        </code>
      ))}
    </>
  );
}

/** How a client gets a token with its secret, for the panel that shows the secret. */
function TokenHint({ clientId }: { clientId: string }) {
  return (
    <p>
      Client id <code>{clientId}</code>. It gets access tokens at <code>POST /oauth/token</code> with <code>grant_type=client_credentials</code>, its id and this
      secret as HTTP Basic credentials.
    </p>
  );
}

/** Machine clients (OAuth 2.0 client credentials): the live ones, and a form to create one. */
export function AdminClientsPage() {
  const [clients, reload] = useLoad(() => api<MachineClient[]>("GET", "/api/admin/clients"), []);
  // The admin's own login holds every scope of the server, so they are the choices.
  const scopes = grantedScopes();
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [owner, setOwner] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [created, setCreated] = useState<CreatedClient | null>(null);

  async function create(event: Event) {
    event.preventDefault();
    const ownerId = owner.trim();
    if (ownerId !== "" && !/^[1-9]\d{0,15}$/.test(ownerId)) {
      setProblem({ status: 400, code: "validation_failed", detail: "The request is not valid", errors: [{ field: "owner_id", message: "must be a user id (a whole number)" }] });
      return;
    }
    const result = await api<CreatedClient>("POST", "/api/admin/clients", { name, scope: chosen.join(" "), ...(ownerId === "" ? {} : { owner_id: Number(ownerId) }) });
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setProblem(null);
    setCreated(result.data);
    setName("");
    setChosen([]);
    setOwner("");
    reload();
  }

  const toggle = (scope: string, on: boolean) => setChosen((current) => (on ? [...current, scope] : current.filter((item) => item !== scope)));
  return (
    <section aria-labelledby="page-title">
      <PageTitle>Machine clients</PageTitle>
      <p>Services that sign in with a client id and secret (OAuth 2.0 client credentials) and get access tokens of their own, within the scopes given here.</p>
      {clients?.ok === false ? <ProblemAlert problem={clients.problem} /> : null}
      {clients?.ok === true ? (
        clients.data.length === 0 ? (
          <p>No machine clients.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption>Live machine clients, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Client id</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Acts for</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                </tr>
              </thead>
              <tbody>
                {clients.data.map((client) => (
                  <tr key={client.client_id}>
                    <td data-label="Name">
                      <a href={`#/admin/clients/${encodeURIComponent(client.client_id)}`}>{client.name}</a>
                    </td>
                    <td data-label="Client id">
                      <code>{client.client_id}</code>
                    </td>
                    <td data-label="Scopes">
                      <Scopes scope={client.scope} />
                    </td>
                    <td data-label="Acts for">{client.owner_id === null ? "No user" : <a href={`#/admin/users/${client.owner_id}`}>{`User #${client.owner_id}`}</a>}</td>
                    <td data-label="Created">{formatTime(client.created_at)}</td>
                    <td data-label="Last used">{client.last_used_at === null ? "Never" : formatTime(client.last_used_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}

      {created === null ? null : (
        <SecretPanel id="new-client-secret" title={`Client “${created.name}” created`} label="The client secret" secret={created.client_secret} onDone={() => setCreated(null)}>
          <TokenHint clientId={created.client_id} />
        </SecretPanel>
      )}

      <form class="panel" onSubmit={(event) => void create(event)} aria-labelledby="create-client-title" noValidate>
        <h2 id="create-client-title">Create a machine client</h2>
        <ProblemAlert problem={problem} />
        <Field id="client-name" label="Name" value={name} onInput={setName} required error={fieldError(problem, "name")} hint="What the service is, e.g. “billing sync”." />
        <fieldset aria-describedby={fieldError(problem, "scope") === undefined ? undefined : "client-scope-error"}>
          <legend>Scopes</legend>
          {scopes.map((scope) => (
            <div class="check" key={scope}>
              <input type="checkbox" id={`client-scope-${scope}`} checked={chosen.includes(scope)} onChange={(event) => toggle(scope, event.currentTarget.checked)} />
              <label for={`client-scope-${scope}`}>{scope}</label>
            </div>
          ))}
          {fieldError(problem, "scope") === undefined ? null : (
            <p class="field-error" id="client-scope-error">
              {fieldError(problem, "scope")}
            </p>
          )}
        </fieldset>
        <Field
          id="client-owner"
          label="Owner's user id (optional)"
          value={owner}
          onInput={setOwner}
          inputMode="numeric"
          error={fieldError(problem, "owner_id")}
          hint="With an owner, the client acts for that user (within its scopes and theirs). Without, it acts for no user. The id is on the Users page, in the address of a user."
        />
        <button type="submit">Create client</button>
      </form>
    </section>
  );
}

/** One client: its secrets; rotate a secret, revoke one, revoke the client. */
export function AdminClientPage({ id }: { id: string }) {
  const [client, reload] = useLoad(() => api<MachineClient>("GET", `/api/admin/clients/${encodeURIComponent(id)}`), [id]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [rotated, setRotated] = useState<RotatedSecret | null>(null);
  const [revokeOthers, setRevokeOthers] = useState(false);
  const [confirmRevoke, setConfirmRevoke] = useState(false);

  function settle(result: ApiResult<unknown>, success: string) {
    setProblem(result.ok ? null : result.problem);
    setNotice(result.ok ? success : null);
    reload();
  }

  async function rotate() {
    const result = await api<RotatedSecret>("POST", `/api/admin/clients/${encodeURIComponent(id)}/secrets`, revokeOthers ? { revoke_others: true } : {});
    if (result.ok) setRotated(result.data);
    const revoked = result.ok ? result.data.revoked_secret_ids : [];
    settle(result, `New secret ${result.ok ? result.data.secret_id : ""} created${revoked.length === 0 ? "" : `; secret ${revoked.join(", ")} revoked`}`);
  }

  async function revokeSecret(secretId: number) {
    settle(await api("DELETE", `/api/admin/clients/${encodeURIComponent(id)}/secrets/${secretId}`), `Secret ${secretId} revoked; the tokens it got stop working`);
  }

  async function revokeClient() {
    setConfirmRevoke(false);
    setRotated(null);
    settle(await api("DELETE", `/api/admin/clients/${encodeURIComponent(id)}`), "Client revoked; its secrets and every token it holds stop working");
  }

  if (client === null) return <p>Loading…</p>;
  if (!client.ok) return <ProblemAlert problem={client.problem} />;
  const data = client.data;
  const live = data.revoked_at === null;
  return (
    <section aria-labelledby="page-title">
      <p>
        <a href="#/admin/clients">← Machine clients</a>
      </p>
      <PageTitle>{data.name}</PageTitle>
      <dl class="details">
        <dt>Client id</dt>
        <dd>
          <code>{data.client_id}</code>
        </dd>
        <dt>Scopes</dt>
        <dd>
          <Scopes scope={data.scope} />
        </dd>
        <dt>Acts for</dt>
        <dd>{data.owner_id === null ? "No user" : <a href={`#/admin/users/${data.owner_id}`}>{`User #${data.owner_id}`}</a>}</dd>
        <dt>Created</dt>
        <dd>{formatTime(data.created_at)}</dd>
        <dt>Last used</dt>
        <dd>{data.last_used_at === null ? "Never" : formatTime(data.last_used_at)}</dd>
        <dt>Status</dt>
        <dd>{live ? "Live" : `Revoked ${formatTime(data.revoked_at)}`}</dd>
      </dl>
      <p>
        <a href={`#/admin/events?client_id=${encodeURIComponent(data.client_id)}`}>Audit events of this client</a>
      </p>
      <ProblemAlert problem={problem} />
      <Notice text={notice} />

      {rotated === null ? null : (
        <SecretPanel id="rotated-client-secret" title={`New secret ${rotated.secret_id}`} label="The new client secret" secret={rotated.client_secret} onDone={() => setRotated(null)}>
          <TokenHint clientId={rotated.client_id} />
        </SecretPanel>
      )}

      <h2>Secrets</h2>
      {(data.secrets ?? []).length === 0 ? (
        <p>No live secrets.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>{`Live secrets of ${data.name}`}</caption>
            <thead>
              <tr>
                <th scope="col">Secret</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(data.secrets ?? []).map((secret) => (
                <tr key={secret.id}>
                  <td data-label="Secret">#{secret.id}</td>
                  <td data-label="Created">{formatTime(secret.created_at)}</td>
                  <td data-label="Last used">{secret.last_used_at === null ? "Never" : formatTime(secret.last_used_at)}</td>
                  <td>
                    <button type="button" class="danger" onClick={() => void revokeSecret(secret.id)} aria-label={`Revoke secret ${secret.id}`}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {live ? (
        <div class="panel">
          <h2>Rotate the secret</h2>
          <p>A new secret; the current one keeps working until you revoke it, so the service can switch over. At most two stay live: a third revokes the oldest.</p>
          <div class="check">
            <input type="checkbox" id="rotate-revoke-others" checked={revokeOthers} onChange={(event) => setRevokeOthers(event.currentTarget.checked)} />
            <label for="rotate-revoke-others">Revoke every other secret at once</label>
          </div>
          <button type="button" onClick={() => void rotate()}>
            Create a new secret
          </button>
        </div>
      ) : null}

      {live ? (
        <div class="panel danger-zone">
          <h2>Danger zone</h2>
          {confirmRevoke ? (
            <div class="confirm" role="group" aria-label={`Confirm revoking ${data.name}`}>
              <p>Revoke {data.name}? Its secrets and every token it holds stop working at once. This cannot be undone.</p>
              <button type="button" class="danger" onClick={() => void revokeClient()}>
                Yes, revoke {data.name}
              </button>
              <button type="button" class="secondary" onClick={() => setConfirmRevoke(false)}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" class="danger" onClick={() => setConfirmRevoke(true)}>
              Revoke client…
            </button>
          )}
        </div>
      ) : null}
    </section>
  );
}
