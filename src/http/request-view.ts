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
  readonly method: string;
  readonly url: string;
}
