/**
 * The little a scheme needs to see of a request. Each adapter builds one; schemes never
 * touch a framework's request object, so every adapter behaves identically.
 *
 * @example
 * const view: RequestView = { header: (name) => headers.get(name) ?? undefined, method: "GET", url: "/me" };
 */
export interface RequestView {
  /** The field value for a case-insensitive name; repeated fields joined with ", " (RFC 9110 5.3). */
  header(name: string): string | undefined;
  /**
   * How many fields of this name the request carried, where the adapter can tell (Node's raw
   * headers); a credential field sent twice is a 400 `invalid_request` (RFC 6750 section 2).
   */
  fieldCount?(name: string): number;
  readonly method: string;
  readonly url: string;
}
