export {
  DEFAULT_ARGON2_PARAMS,
  PASSWORD_MAX_BYTES,
  createPasswordHasher,
  hashPassword,
  needsRehash,
  verifyPassword,
} from "./hasher.js";
export type { PasswordHasher, PasswordHasherOptions, PasswordVerifyResult } from "./hasher.js";
export type { Argon2Params } from "./argon2.js";
export { verifyUserPassword, type UserPasswordResult } from "./verify-user-password.js";
export { identifyHashScheme } from "./identify-scheme.js";
export type { HashScheme } from "./identify-scheme.js";
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, checkPasswordPolicy, isCommonPassword } from "./policy.js";
export type { PasswordPolicyResult, PasswordPolicyViolation } from "./policy.js";
