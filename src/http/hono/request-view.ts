import type { Context } from "hono";
import type { RequestView } from "../request-view.js";

/** A {@link RequestView} over a Hono context (fetch `Headers` join repeated fields already). */
export function honoRequestView(c: Context): RequestView {
  return {
    header: (name) => c.req.header(name),
    method: c.req.method,
    get url() {
      const url = new URL(c.req.url);
      return url.pathname + url.search;
    },
  };
}
