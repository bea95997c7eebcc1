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
