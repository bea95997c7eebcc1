import { randomBytes } from "node:crypto";
import { parseScope } from "../core/scopes.js";
import type { ClientRecord, ClientSecretRecord } from "../core/token-store.js";
import { generateOpaqueToken, hashToken, isWellFormedOpaqueToken, tokenHashesEqual } from "../core/tokens/opaque-token.js";
import { grantScope } from "./passwords-login.js";
import { revocationExpiry, type TesseraContext } from "./tessera-context.js";
import type { Result } from "./types.js";

/** A client's id: `tsr_ci_` and 16 random bytes, base64url (not a secret; safe in HTTP Basic). */
const CLIENT_ID = /^tsr_ci_[A-Za-z0-9_-]{22}$/;
/** A client has at most this many live secrets: the current one and, while rotating, the next. */
export const MAX_LIVE_CLIENT_SECRETS = 2;
/** Longest client name accepted. */
const MAX_CLIENT_NAME_LENGTH = 200;

/** Claims of a client's access token that only Tessera sets (RFC 9068 `client_id`, and which secret minted it). */
export const CLIENT_TOKEN_CLAIMS = ["client_id", "tsr_secret", "tsr_owner"] as const;

/** A new client and its first secret, shown this once. */
export interface CreatedClient {
  client: ClientRecord;
  /** `tsr_cs_...`; only its hash is stored. */
  secret: string;
  secretRecord: ClientSecretRecord;
}

/** A client's new secret, shown this once. */
export interface RotatedClientSecret {
  secret: string;
  record: ClientSecretRecord;
  /** Secrets revoked by the rotation (the oldest past two live ones, or all others with `revokeOthers`). */
  revoked: ClientSecretRecord[];
}

/** An access token minted for a client (no refresh token: the client simply asks again). */
export interface ClientAccessToken {
  accessToken: string;
  tokenType: "Bearer";
  expiresInSeconds: number;
  scope: string;
  client: ClientRecord;
}

/** Whether a string has the shape of a client id (no store look-up). */
export function isClientId(value: string): boolean {
  return CLIENT_ID.test(value);
}

/** The value a client's `user`-kind revocation entry carries (never a user id of the app's: those are not prefixed so). */
export function clientRevocationSubject(clientId: string): string {
  return `client:${clientId}`;
}

/** The value a client secret's `token`-kind revocation entry carries (stored tokens use bare numbers). */
export function secretRevocationSubject(secretId: number): string {
  return `cs${secretId}`;
}

/**
 * Machine clients (RFC 6749 4.4): creation, secret rotation, revocation and the client
 * credentials grant. Revoking a client or a secret writes a revocation entry, so every instance
 * refuses the tokens it minted through the same revocation feed and poll as user tokens.
 */
export class MachineClients {
  constructor(private readonly context: TesseraContext) {}

  /** Creates a client with its first secret. `scope` must be a valid scope string (checked by the caller against what it may grant). */
  async create(options: { name: string; scope: string; ownerId?: string | null }): Promise<Result<CreatedClient, "validation_failed">> {
    const name = options.name.trim();
    if (name.length === 0 || name.length > MAX_CLIENT_NAME_LENGTH || name.includes("\0")) {
      return { ok: false, code: "validation_failed", detail: `name must be 1 to ${MAX_CLIENT_NAME_LENGTH} characters` };
    }
    const parsed = options.scope.trim() === "" ? { ok: true as const, scopes: [] } : parseScope(options.scope);
    if (!parsed.ok) return { ok: false, code: "validation_failed", detail: "scope is not a valid scope string" };
    const now = this.context.clock.now();
    const client = await this.context.store.createClient({
      id: `tsr_ci_${randomBytes(16).toString("base64url")}`,
      name,
      scope: parsed.scopes.join(" "),
      ownerId: options.ownerId ?? null,
      now,
    });
    const secret = generateOpaqueToken("clientSecret");
    const secretRecord = await this.context.store.addClientSecret({ clientId: client.id, secretHash: hashToken(secret), now });
    this.context.audit.record({ type: "client.created", userId: client.ownerId, clientId: client.id, subject: `client:${client.id}` });
    return { ok: true, client, secret, secretRecord };
  }

  /**
   * Adds a secret. A client keeps at most two live secrets, so the oldest one past that is
   * revoked (its tokens with it); `revokeOthers` revokes every other secret at once.
   */
  async rotateSecret(clientId: string, options: { revokeOthers?: boolean } = {}): Promise<RotatedClientSecret | null> {
    const { store, clock } = this.context;
    const client = await store.getClient(clientId);
    if (client === null || client.revokedAt !== null) return null;
    const secret = generateOpaqueToken("clientSecret");
    const now = clock.now();
    const record = await store.addClientSecret({ clientId, secretHash: hashToken(secret), now });
    let revoked: ClientSecretRecord[];
    if (options.revokeOthers === true) {
      revoked = await store.revokeClientSecrets({ clientId, exceptSecretId: record.id }, now);
    } else {
      const live = await store.listClientSecrets(clientId);
      revoked = [];
      for (const old of live.filter((entry) => entry.id !== record.id).slice(0, Math.max(0, live.length - MAX_LIVE_CLIENT_SECRETS))) {
        revoked.push(...(await store.revokeClientSecrets({ clientId, secretId: old.id }, now)));
      }
    }
    this.context.audit.record({ type: "client.secret_rotated", userId: client.ownerId, clientId, subject: `secret:${record.id}` });
    for (const entry of revoked) await this.revokeSecretTokens(entry.id, client.ownerId);
    return { secret, record, revoked };
  }

  /** Revokes one secret of a client and the tokens it minted; false when it was not live. */
  async revokeSecret(clientId: string, secretId: number): Promise<boolean> {
    const revoked = await this.context.store.revokeClientSecrets({ clientId, secretId }, this.context.clock.now());
    const ownerId = revoked.length > 0 ? ((await this.context.store.getClient(clientId))?.ownerId ?? null) : null;
    for (const entry of revoked) await this.revokeSecretTokens(entry.id, ownerId);
    return revoked.length > 0;
  }

  /** Revokes the client, its secrets and every token it holds; null when it was not live. */
  async revoke(clientId: string): Promise<ClientRecord | null> {
    const { store, clock, revocations } = this.context;
    const revoked = await store.revokeClient(clientId, clock.now());
    if (revoked === null) return null;
    await revocations.revoke({ kind: "user", value: clientRevocationSubject(clientId), revokedAt: clock.now(), expiresAt: revocationExpiry(clock) });
    this.context.audit.record({ type: "client.revoked", userId: revoked.ownerId, clientId, subject: `client:${clientId}` });
    return revoked;
  }

  /**
   * Checks a client id and secret (RFC 6749 2.3.1). Every live secret is compared in constant
   * time; an unknown, revoked or mistyped client is the same `invalid_client`.
   */
  async authenticate(clientId: string, clientSecret: string): Promise<Result<{ client: ClientRecord; secretId: number }, "invalid_client">> {
    const refused = { ok: false as const, code: "invalid_client" as const, detail: "Client authentication failed" };
    const { store, audit } = this.context;
    const failed = (reason: string, ownerId: string | null = null) => {
      // An id that is not one of ours is not stored: it may be anything a caller typed.
      audit.record({ type: "client.auth_failed", reason, actorType: "anonymous", actorId: null, userId: ownerId, clientId: isClientId(clientId) ? clientId : null });
      return refused;
    };
    if (!isClientId(clientId)) return failed("unknown_client");
    if (!isWellFormedOpaqueToken(clientSecret, "clientSecret")) return failed("malformed_secret");
    const client = await store.getClient(clientId);
    if (client === null) return failed("unknown_client");
    if (client.revokedAt !== null) return failed("client_revoked", client.ownerId);
    const presented = hashToken(clientSecret);
    let matched: ClientSecretRecord | null = null;
    for (const secret of await store.listClientSecrets(clientId)) {
      if (tokenHashesEqual(secret.secretHash, presented)) matched = secret;
    }
    if (matched === null) return failed("wrong_secret", client.ownerId);
    const secretId = matched.id;
    this.context.touches.touch(`c${clientId}`, (now) => store.touchClient(clientId, now));
    this.context.touches.touch(`cs${secretId}`, (now) => store.touchClientSecret(secretId, now));
    return { ok: true, client, secretId };
  }

  /**
   * The client credentials grant: authenticates the client and mints an access token (RFC 9068:
   * `sub` and `client_id` are the client's id, no `sid`) for the scope asked, within the
   * client's own; nothing asked gets all of it.
   */
  async issueToken(
    clientId: string,
    clientSecret: string,
    options: { scope?: string | null | undefined } = {},
  ): Promise<Result<ClientAccessToken, "invalid_client" | "validation_failed">> {
    const authenticated = await this.authenticate(clientId, clientSecret);
    if (!authenticated.ok) return authenticated;
    const { client, secretId } = authenticated;
    const granted = grantScope(client.scope === "" ? [] : client.scope.split(" "), options.scope);
    if (!granted.ok) return granted;
    const ttlSeconds = this.context.accessTokenTtlSeconds;
    const claims: Record<string, unknown> = { client_id: client.id, tsr_secret: secretId };
    if (client.ownerId !== null) claims["tsr_owner"] = client.ownerId;
    const issued = this.context.keys.issue({ sub: client.id, scope: granted.scope, ttlSeconds, extraClaims: claims });
    this.context.audit.record({
      type: "client.token_issued",
      actorType: "client",
      actorId: client.id,
      userId: client.ownerId,
      clientId: client.id,
      subject: `jti:${issued.jti}`,
      reason: `secret:${secretId}`,
    });
    return { ok: true, accessToken: issued.token, tokenType: "Bearer", expiresInSeconds: ttlSeconds, scope: granted.scope, client };
  }

  private async revokeSecretTokens(secretId: number, ownerId: string | null): Promise<void> {
    const { clock, revocations } = this.context;
    this.context.audit.record({ type: "client.secret_revoked", userId: ownerId, subject: `secret:${secretId}` });
    await revocations.revoke({ kind: "token", value: secretRevocationSubject(secretId), revokedAt: clock.now(), expiresAt: revocationExpiry(clock) });
  }
}
