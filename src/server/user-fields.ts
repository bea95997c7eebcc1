import { fullFormats } from "ajv-formats/dist/formats.js";

/**
 * The contract's username rule ("Users"): 1-64 characters of A-Z a-z 0-9 _ . -, unique
 * case-insensitively. One definition for the API's schema and the CLI's checks.
 */
export const USERNAME_MAX_LENGTH = 64;
export const USERNAME_PATTERN = "^[A-Za-z0-9_.-]+$";
/** What the help and error messages say about usernames. */
export const USERNAME_RULE = "1-64 characters of A-Z a-z 0-9 _ . -";

const USERNAME = new RegExp(USERNAME_PATTERN);

/**
 * Whether a username follows the rule.
 *
 * @example
 * isValidUsername("ada.lovelace"); // true
 * isValidUsername("ada lovelace"); // false
 */
export function isValidUsername(username: string): boolean {
  const length = [...username].length;
  return length >= 1 && length <= USERNAME_MAX_LENGTH && USERNAME.test(username);
}

/** RFC 5321's longest forward path; the API's schema and the CLI both cap emails here. */
export const EMAIL_MAX_LENGTH = 254;

/**
 * Whether an email address passes the API's own check: ajv-formats' `email` format (the "full"
 * mode the server's schemas use) and {@link EMAIL_MAX_LENGTH}. The CLI checks imports and
 * `users create --email` with this too, so every stored address is one `PATCH` would accept.
 *
 * @example
 * isValidEmail("ada@example.com"); // true
 * isValidEmail("ada@localhost");   // false: the format wants a dotted domain
 */
export function isValidEmail(email: string): boolean {
  const format = fullFormats.email;
  return email.length <= EMAIL_MAX_LENGTH && format instanceof RegExp && format.test(email);
}
