// HTTP grammar shared by the credential readers (RFC 9110 section 5.6.2 and 11.2).

/** RFC 9110 `token` (auth-scheme names, header field names): 1*tchar. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** RFC 9110 `token68`, which RFC 6750 calls `b64token`: the single-value credentials form. */
export const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Linear whitespace the HTTP parser may leave around a field value (OWS). */
export function trimOws(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, "");
}
