/** The server's username rule (contract, "Users"): 1-64 characters of A-Z a-z 0-9 _ . - */
const USERNAME = /^[A-Za-z0-9_.-]{1,64}$/;
// Deliberately loose, like most address checks: something@something, no spaces or control
// characters (PostgreSQL refuses NUL in text), at most 254 characters (RFC 5321).
const EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u;
const EMAIL_MAX_LENGTH = 254;

/** What the help and error messages say about usernames. */
export const USERNAME_RULE = "1-64 characters of A-Z a-z 0-9 _ . -";

/**
 * Whether a username follows the server's rule.
 *
 * @example
 * isValidUsername("ada.lovelace"); // true
 * isValidUsername("ada lovelace"); // false
 */
export function isValidUsername(username: string): boolean {
  return USERNAME.test(username);
}

/**
 * Whether an email address is plausible enough to store.
 *
 * @example
 * isValidEmail("ada@example.com"); // true
 */
export function isValidEmail(email: string): boolean {
  return email.length <= EMAIL_MAX_LENGTH && EMAIL.test(email);
}
