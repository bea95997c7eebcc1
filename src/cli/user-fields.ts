export { isValidUsername, USERNAME_RULE } from "../server/user-fields.js";

// Deliberately loose, like most address checks: something@something, no spaces or control
// characters (PostgreSQL refuses NUL in text), at most 254 characters (RFC 5321).
const EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u;
const EMAIL_MAX_LENGTH = 254;

/**
 * Whether an email address is plausible enough to store.
 *
 * @example
 * isValidEmail("ada@example.com"); // true
 */
export function isValidEmail(email: string): boolean {
  return email.length <= EMAIL_MAX_LENGTH && EMAIL.test(email);
}
