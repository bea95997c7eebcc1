import Bowser from "bowser";

/**
 * A session's device for people ("Chrome 131 on Linux") from its User-Agent, parsed by bowser;
 * the raw string when bowser recognises nothing, "Unknown device" without one.
 */
export function describeDevice(userAgent: string | null): string {
  if (userAgent === null || userAgent.trim() === "") return "Unknown device";
  const parsed = Bowser.parse(userAgent);
  const name = parsed.browser.name ?? "";
  const version = parsed.browser.version?.split(".")[0] ?? "";
  const browser = name === "" ? "" : version === "" ? name : `${name} ${version}`;
  const os = parsed.os.name ?? "";
  if (browser === "" && os === "") return userAgent.slice(0, 80);
  if (browser === "") return os;
  return os === "" ? browser : `${browser} on ${os}`;
}
