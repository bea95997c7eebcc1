import type { IncomingMessage } from "node:http";
import type { RequestView } from "./request-view.js";

/**
 * Builds a {@link RequestView} over a Node `IncomingMessage` (plain node:http, Express, Fastify's
 * `request.raw`). Node keeps only the first of repeated `Authorization` fields; reading
 * `rawHeaders` instead joins them like fetch's `Headers` does, so two Authorization fields are
 * seen (and refused as malformed) by every adapter alike.
 *
 * @example
 * createServer(async (req, res) => { const result = await guard.authenticate(createNodeRequestView(req)); });
 */
export function createNodeRequestView(raw: IncomingMessage, url: string = raw.url ?? "/"): RequestView {
  return {
    method: raw.method ?? "GET",
    url,
    header(name: string): string | undefined {
      return readRawHeader(raw, name.toLowerCase());
    },
    fieldCount(name: string): number {
      return countRawFields(raw, name.toLowerCase());
    },
  };
}

function readRawHeader(raw: IncomingMessage, lowerName: string): string | undefined {
  const rawHeaders = raw.rawHeaders as readonly string[] | undefined;
  if (rawHeaders === undefined || rawHeaders.length === 0) {
    const value = raw.headers[lowerName];
    return Array.isArray(value) ? value.join(", ") : value;
  }
  let joined: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const value = rawHeaders[i + 1];
    if (name === undefined || value === undefined || name.length !== lowerName.length) continue;
    if (name.toLowerCase() !== lowerName) continue;
    joined = joined === undefined ? value : `${joined}, ${value}`;
  }
  return joined;
}

/** Counts the fields named `lowerName` in the raw headers (parsed headers merge them). */
export function countRawFields(raw: Pick<IncomingMessage, "rawHeaders" | "headers">, lowerName: string): number {
  const rawHeaders = raw.rawHeaders as readonly string[] | undefined;
  if (rawHeaders === undefined || rawHeaders.length === 0) return raw.headers[lowerName] === undefined ? 0 : 1;
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name !== undefined && name.length === lowerName.length && name.toLowerCase() === lowerName) count += 1;
  }
  return count;
}
