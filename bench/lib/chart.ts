// The bar chart of every HTTP scenario's ratio to the floor, written next to the result JSON.
import { FLOOR_SCENARIO } from "../scenarios/peers.js";
import type { BenchResults, ScenarioGroup } from "./types.js";

const COLOURS: Record<Exclude<ScenarioGroup, "in-process">, string> = {
  floor: "#8c8c8c",
  peer: "#3b6fb6",
  tessera: "#e0701b",
};
const LEGEND: Record<Exclude<ScenarioGroup, "in-process">, string> = {
  floor: "reference (no auth)",
  peer: "peer (framework + its JWT plug-in)",
  tessera: "Tessera",
};

const ROW_HEIGHT = 22;
const BAR_HEIGHT = 15;
const LABEL_WIDTH = 360;
const BAR_WIDTH = 420;
const VALUE_WIDTH = 130;
const TOP = 64;
const WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH + 20;

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/**
 * An SVG horizontal bar chart: one bar per measured HTTP scenario, its median req/s divided by
 * the floor's, Tessera rows in their own colour. Rows that are not `ok` are listed without a bar.
 *
 * @example
 * await writeFile("bench/results/run.svg", renderRatioChart(results));
 */
export function renderRatioChart(results: BenchResults): string {
  const floor = results.scenarios.find((row) => row.name === FLOOR_SCENARIO && row.status === "ok")?.median?.opsPerSecond;
  const rows = results.scenarios.filter((row) => row.group !== "in-process");
  const ratios = rows.map((row) => (floor !== undefined && row.status === "ok" && row.median !== undefined ? row.median.opsPerSecond / floor : undefined));
  const floorCpu = results.scenarios.find((row) => row.name === FLOOR_SCENARIO && row.status === "ok")?.median?.cpuMicrosPerRequest ?? undefined;
  const cpuRatios = rows.map((row) => {
    const own = row.status === "ok" ? row.median?.cpuMicrosPerRequest : undefined;
    return floorCpu === undefined || own === undefined || own === null || own <= 0 ? undefined : floorCpu / own;
  });
  const scaleMax = Math.max(1, ...[...ratios, ...cpuRatios].filter((ratio): ratio is number => ratio !== undefined));
  const height = TOP + rows.length * ROW_HEIGHT + 30;
  const x = (ratio: number): number => LABEL_WIDTH + (ratio / scaleMax) * BAR_WIDTH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(
      `Multiple of the node:http floor: req/s (bars), server CPU per request (thin lines); median of ${results.settings.runs} runs, ${results.startedAt.slice(0, 10)}`,
    )}</text>`,
  ];
  let legendX = 10;
  for (const group of ["floor", "peer", "tessera"] as const) {
    parts.push(`<rect x="${legendX}" y="32" width="12" height="12" fill="${COLOURS[group]}"/>`);
    parts.push(`<text x="${legendX + 16}" y="43">${escapeXml(LEGEND[group])}</text>`);
    legendX += 30 + LEGEND[group].length * 6.2;
  }
  parts.push(`<rect x="${legendX}" y="38" width="12" height="4" fill="#333333"/>`);
  parts.push(`<text x="${legendX + 16}" y="43">by server CPU per request (floor / row)</text>`);
  // Grid every 0.25x, the floor (1.0x) darker.
  for (let tick = 0; tick <= scaleMax + 1e-9; tick += 0.25) {
    const tx = x(tick).toFixed(1);
    const major = Math.abs(tick - 1) < 1e-9;
    parts.push(`<line x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${TOP + rows.length * ROW_HEIGHT}" stroke="${major ? "#555555" : "#e3e3e3"}" stroke-width="1"/>`);
    parts.push(`<text x="${tx}" y="${TOP + rows.length * ROW_HEIGHT + 16}" text-anchor="middle" fill="#555555">${tick.toFixed(2)}x</text>`);
  }
  rows.forEach((row, index) => {
    const y = TOP + index * ROW_HEIGHT;
    const group = row.group === "in-process" ? "floor" : row.group;
    parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + BAR_HEIGHT - 3}" text-anchor="end">${escapeXml(row.name)}</text>`);
    const ratio = ratios[index];
    if (ratio === undefined) {
      parts.push(`<text x="${LABEL_WIDTH + 4}" y="${y + BAR_HEIGHT - 3}" fill="#b00020">${escapeXml(row.status)}</text>`);
      return;
    }
    const width = Math.max(1, x(ratio) - LABEL_WIDTH);
    parts.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${COLOURS[group]}"><title>${escapeXml(`${row.name}: ${Math.round(row.median?.opsPerSecond ?? 0)} req/s`)}</title></rect>`);
    const cpuRatio = cpuRatios[index];
    if (cpuRatio !== undefined) {
      parts.push(`<rect x="${LABEL_WIDTH}" y="${y + BAR_HEIGHT - 4}" width="${Math.max(1, x(cpuRatio) - LABEL_WIDTH).toFixed(1)}" height="3" fill="#333333"><title>${escapeXml(`${row.name}: ${cpuRatio.toFixed(2)}x floor by server CPU per request`)}</title></rect>`);
    }
    const label = cpuRatio === undefined ? `${ratio.toFixed(2)}x` : `${ratio.toFixed(2)}x (CPU ${cpuRatio.toFixed(2)}x)`;
    parts.push(`<text x="${(LABEL_WIDTH + Math.max(width, cpuRatio === undefined ? 0 : x(cpuRatio) - LABEL_WIDTH) + 4).toFixed(1)}" y="${y + BAR_HEIGHT - 3}">${label}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
