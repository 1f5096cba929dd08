// Printing results: the markdown tables every scenario's summary is made of, and the summary
// document itself (title, the command that reproduces it, the environment, headline lines, one
// table of step | figure | detail, the errors). Scenarios build their rows; this lays them out.

/** One row of a summary: step, figure, detail. */
export type Row = readonly [string, string, string];

/** A markdown table; `|` inside cells is escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const cell = (c: string): string => c.replace(/\|/g, '\\|');
  const rule = header.map((_h, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((r, i) => `| ${(i === 1 ? r : r.map(cell)).join(' | ')} |`).join('\n') + '\n';
}

export interface Summary {
  readonly title: string;
  readonly command: string;
  readonly environment: string;
  readonly headline?: readonly string[];
  readonly rows: readonly Row[];
  readonly errors: readonly string[];
}

export function summaryMarkdown(s: Summary): string {
  const lines = [
    `## ${s.title}`,
    '',
    `Command: \`${s.command}\``,
    '',
    `Environment: ${s.environment}`,
    '',
    ...(s.headline && s.headline.length > 0 ? [...s.headline, ''] : []),
  ];
  let out = `${lines.join('\n')}\n${markdownTable(['step', 'figure', 'detail'], s.rows)}`;
  if (s.errors.length > 0) out += ['', '**Errors:**', ...s.errors.map((e) => `- ${e}`)].join('\n') + '\n';
  return out;
}
