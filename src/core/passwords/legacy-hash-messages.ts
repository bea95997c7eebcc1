import type { SchemeVerification } from "./scheme-verification.js";

/** The pure-JavaScript schemes that run in the legacy-hash worker pool. */
export type LegacyHashScheme = "bcrypt" | "sha-crypt";

/** Main thread -> worker: one verification. */
export interface LegacyHashRequest {
  id: number;
  scheme: LegacyHashScheme;
  hash: string;
  password: string;
}

/** Worker -> main thread: the outcome, or the name of the error the primitive threw. */
export type LegacyHashResponse = { id: number; outcome: SchemeVerification } | { id: number; failure: string };
