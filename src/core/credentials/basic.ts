import { readAuthorization, type CredentialsResult } from "./authorization.js";

/** A user-id and password read from `Authorization: Basic ...`. */
export interface BasicCredentials {
  username: string;
  password: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// RFC 7617 2: user-id and password MUST NOT contain control characters.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads `Authorization: Basic base64(user-id ":" password)` per RFC 7617, decoding as UTF-8
 * and splitting at the first colon (a password may contain colons). `null` when absent or
 * another scheme; `token_malformed` for bad base64, bad UTF-8, no colon or control characters.
 * The username may be a token and the password ignored, as the Udacity tutorial's API does.
 *
 * @example
 * readBasicCredentials("Basic " + btoa("alice:s3cret"));
 * // { ok: true, username: "alice", password: "s3cret" }
 */
export function readBasicCredentials(headerValue: string | null | undefined): CredentialsResult<BasicCredentials> {
  const parts = readAuthorization(headerValue);
  if (parts === null || !parts.ok) return parts;
  if (parts.scheme.toLowerCase() !== "basic") return null;

  const encoded = parts.credentials;
  if (encoded === "") return malformed("The Basic credentials are empty");
  if (!isBase64(encoded)) return malformed("The Basic credentials are not valid base64");

  let decoded: string;
  try {
    // atob rather than Buffer: this runs on any fetch runtime (the Hono adapter), not only Node.
    decoded = utf8.decode(Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0)));
  } catch {
    return malformed("The Basic credentials are not valid UTF-8");
  }
  const colon = decoded.indexOf(":");
  if (colon === -1) return malformed("The Basic credentials have no colon between user-id and password");
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (CONTROL.test(username) || CONTROL.test(password)) {
    return malformed("The Basic credentials contain control characters");
  }
  return { ok: true, username, password };
}

function isBase64(value: string): boolean {
  if (!BASE64.test(value)) return false;
  // Padded input must be whole quads; unpadded input is tolerated (some clients omit "=")
  // but a lone trailing sextet can never be valid base64.
  return value.endsWith("=") ? value.length % 4 === 0 : value.length % 4 !== 1;
}

function malformed(detail: string): { ok: false; code: "token_malformed"; detail: string } {
  return { ok: false, code: "token_malformed", detail };
}
