/**
 * What checking a password against one stored hash found. `malformed` means the string is
 * not a usable hash of that scheme (or asks for more work than Tessera allows); the caller
 * then spends dummy time so the answer does not arrive faster than a real check.
 *
 * @example
 * const outcome: SchemeVerification = await verifyBcrypt(hash, password);
 */
export type SchemeVerification = "match" | "mismatch" | "malformed";
