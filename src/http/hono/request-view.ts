import type { Context } from "hono";
import type { IncomingMessage } from "node:http";
import { countRawFields } from "../node-request-view.js";
import type { RequestView } from "../request-view.js";

/** A {@link RequestView} over a Hono context (fetch `Headers` join repeated fields already). */
export function honoRequestView(c: Context): RequestView {
  // On @hono/node-server the Node request is at env.incoming: its raw fields tell a credential
  // sent twice from one with a comma. Other runtimes join fields before Hono sees them.
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return {
    header: (name) => c.req.header(name),
    ...(incoming?.rawHeaders === undefined ? {} : { fieldCount: (name: string) => countRawFields(incoming, name.toLowerCase()) }),
    method: c.req.method,
    get url() {
      const url = new URL(c.req.url);
      return url.pathname + url.search;
    },
  };
}
