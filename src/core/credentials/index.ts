// Framework-free credential extraction: every reader takes header strings, never a request.
export { readAuthorization, type AuthorizationParts, type CredentialsResult } from "./authorization.js";
export { readBearerToken, type BearerToken, type ReadBearerTokenOptions } from "./bearer.js";
export { readBasicCredentials, type BasicCredentials } from "./basic.js";
export { readHeaderToken, type HeaderToken } from "./header-token.js";
