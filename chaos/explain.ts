// Which documented loss explains each missing span: an assignment, not a first match. Some causes
// explain any number of spans (a takeover gap), some at most their own capacity (a killed leader's
// sampled queue), some share one capacity (every drop crotel counted). Taking, span by span, the
// first window that fits spends a shared or capped capacity on spans another cause explains too,
// and then calls later spans unexplained although the counts allow them; the verdict needs the
// largest number of spans the causes can explain together: a maximum flow (Edmonds–Karp).

export interface LossCause {
  /** At most this many spans (undefined: any number). */
  readonly capacity?: number;
  /** Also counts against this shared capacity (e.g. 'counted drops'). */
  readonly pool?: string;
}

/**
 * For each missing span (given as the indexes of the causes whose window holds it), the cause it
 * is assigned to, or undefined when no assignment within the capacities explains it; the number
 * assigned is the largest possible.
 */
export function explainLosses(eligible: readonly (readonly number[])[], causes: readonly LossCause[], pools: ReadonlyMap<string, number>): (number | undefined)[] {
  const assigned: (number | undefined)[] = eligible.map(() => undefined);
  const limited = (c: number): boolean => causes[c]!.capacity !== undefined || causes[c]!.pool !== undefined;
  // An unlimited cause explains its spans whatever else happens: no need to route them.
  const rest: number[] = [];
  eligible.forEach((cs, span) => {
    const free = cs.find((c) => !limited(c));
    if (free !== undefined) assigned[span] = free;
    else if (cs.length > 0) rest.push(span);
  });
  if (rest.length === 0) return assigned;

  // Nodes: source, the remaining spans, the causes, the pools, sink.
  const poolNames = [...pools.keys()];
  const S = 0;
  const spanNode = (i: number): number => 1 + i;
  const causeNode = (c: number): number => 1 + rest.length + c;
  const poolNode = (p: number): number => 1 + rest.length + causes.length + p;
  const T = 1 + rest.length + causes.length + poolNames.length;
  const to: number[] = [];
  const cap: number[] = [];
  const adjacency: number[][] = Array.from({ length: T + 1 }, () => []);
  const edge = (a: number, b: number, c: number): void => {
    adjacency[a]!.push(to.length); to.push(b); cap.push(c);
    adjacency[b]!.push(to.length); to.push(a); cap.push(0);
  };
  const spanEdges = new Map<number, { edge: number; cause: number }[]>();
  rest.forEach((span, i) => {
    edge(S, spanNode(i), 1);
    spanEdges.set(i, eligible[span]!.map((c) => {
      const e = to.length;
      edge(spanNode(i), causeNode(c), 1);
      return { edge: e, cause: c };
    }));
  });
  causes.forEach((cause, c) => {
    const capacity = cause.capacity ?? rest.length;
    const pool = cause.pool !== undefined ? poolNames.indexOf(cause.pool) : -1;
    edge(causeNode(c), pool >= 0 ? poolNode(pool) : T, capacity);
  });
  poolNames.forEach((name, p) => edge(poolNode(p), T, pools.get(name) ?? 0));

  for (;;) {
    const via: number[] = new Array<number>(T + 1).fill(-1);
    via[S] = -2;
    const queue = [S];
    for (let q = 0; q < queue.length && via[T] === -1; q++) {
      const node = queue[q]!;
      for (const e of adjacency[node]!) {
        if (cap[e]! > 0 && via[to[e]!] === -1) {
          via[to[e]!] = e;
          queue.push(to[e]!);
        }
      }
    }
    if (via[T] === -1) break;
    for (let node = T; node !== S; node = to[via[node]! ^ 1]!) {
      cap[via[node]!]! -= 1;
      cap[via[node]! ^ 1]! += 1;
    }
  }
  rest.forEach((span, i) => {
    const used = spanEdges.get(i)!.find((x) => cap[x.edge] === 0);
    if (used) assigned[span] = used.cause;
  });
  return assigned;
}
