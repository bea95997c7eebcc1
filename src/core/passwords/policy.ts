import { COMMON_PASSWORDS_TEXT } from "./common-passwords.js";

/** Shortest acceptable password, in Unicode code points. */
export const PASSWORD_MIN_LENGTH = 8;
/** Longest acceptable password, in Unicode code points. */
export const PASSWORD_MAX_LENGTH = 1024;

/** Why a password was refused; stable, for clients and tests to branch on. */
export type PasswordPolicyViolation = "too_short" | "too_long" | "common";

/** Outcome of {@link checkPasswordPolicy}. `message` never contains the password. */
export type PasswordPolicyResult = { ok: true } | { ok: false; reason: PasswordPolicyViolation; message: string };

let commonPasswords: ReadonlySet<string> | undefined;

function normalize(password: string): string {
  // NFKC folds look-alikes such as full-width letters onto the ASCII the list holds.
  return password.normalize("NFKC").toLowerCase();
}

/**
 * Whether a password is in the bundled list of common passwords (about 10,800 entries from
 * a public-domain corpus; see common-passwords.ts), ignoring case.
 *
 * @example
 * isCommonPassword("Password1"); // true
 * isCommonPassword("correct horse battery staple"); // false
 */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(COMMON_PASSWORDS_TEXT.split("\n").filter((entry) => entry.length > 0));
  return commonPasswords.has(normalize(password));
}

/** Counts code points, stopping once past `limit` so a huge input costs little. */
function countCodePoints(text: string, limit: number): number {
  let count = 0;
  for (const _ of text) {
    count++;
    if (count > limit) break;
  }
  return count;
}

/**
 * Checks a new password against the policy: 8 to 1024 characters (Unicode code points,
 * so an emoji counts once) and not a common password (case-insensitive).
 *
 * @example
 * const result = checkPasswordPolicy(body.password);
 * if (!result.ok) return reply.code(400).send({ errors: [{ field: "password", message: result.message }] });
 */
export function checkPasswordPolicy(password: string): PasswordPolicyResult {
  const length = countCodePoints(password, PASSWORD_MAX_LENGTH);
  if (length < PASSWORD_MIN_LENGTH) {
    return { ok: false, reason: "too_short", message: `must be at least ${PASSWORD_MIN_LENGTH} characters` };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return { ok: false, reason: "too_long", message: `must be at most ${PASSWORD_MAX_LENGTH} characters` };
  }
  if (isCommonPassword(password)) {
    return { ok: false, reason: "common", message: "is too common; choose a less guessable password" };
  }
  return { ok: true };
}
