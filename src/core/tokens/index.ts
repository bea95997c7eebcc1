// tessera-auth/tokens: opaque token primitives (what the facade builds personal access, refresh
// and app tokens from), for apps that keep tokens in storage of their own.
export {
  generateOpaqueToken,
  assembleOpaqueToken,
  isWellFormedOpaqueToken,
  hasValidChecksum,
  opaqueTokenKind,
  hashToken,
  tokenHashesEqual,
  OPAQUE_TOKEN_PREFIXES,
  type OpaqueTokenKind,
} from "./opaque-token.js";
