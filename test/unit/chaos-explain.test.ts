// chaos/explain.ts: missing spans assigned to documented losses within their capacities, as many
// as the counts allow (a first-match assignment spends shared capacity and leaves spans unexplained).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainLosses, type LossCause } from '../../chaos/explain.ts';

const drops = new Map([['drops', 1]]);

describe('explainLosses', () => {
  test('a span that fits a capped cause and the shared pool takes the cap, so a span that fits only the pool is explained too', () => {
    const causes: LossCause[] = [{ pool: 'drops' }, { capacity: 1 }];
    // span 0: the Collector window (pool) or the killed leader's queue (cap 1); span 1: the pool only
    assert.deepEqual(explainLosses([[0, 1], [0]], causes, drops), [1, 0]);
  });

  test('capacities are upper bounds: a cap of 2 explains two of three spans, a pool of 1 one', () => {
    assert.deepEqual(explainLosses([[0], [0], [0]], [{ capacity: 2 }], new Map()).filter((x) => x !== undefined).length, 2);
    assert.deepEqual(explainLosses([[0], [0], [0]], [{ pool: 'drops' }], drops).filter((x) => x !== undefined).length, 1);
  });

  test('an unlimited cause explains every span in its window; a span in no window stays unexplained', () => {
    assert.deepEqual(explainLosses([[0, 1], [1], []], [{ capacity: 0 }, {}], new Map()), [1, 1, undefined]);
  });

  test('a pool shared by several causes is spent once', () => {
    const causes: LossCause[] = [{ pool: 'drops' }, { pool: 'drops' }];
    assert.deepEqual(explainLosses([[0], [1]], causes, new Map([['drops', 1]])).filter((x) => x !== undefined).length, 1);
    assert.deepEqual(explainLosses([[0], [1]], causes, new Map([['drops', 2]])), [0, 1]);
  });

  test('many spans and causes: the result is the largest assignment (checked against exhaustive search)', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      const causes: LossCause[] = [{ pool: 'drops' }, { capacity: random(3) }, { capacity: random(3) }, { pool: 'drops', capacity: random(2) }];
      const pools = new Map([['drops', random(3)]]);
      const eligible = Array.from({ length: 6 }, () => [0, 1, 2, 3].filter(() => random(2) === 0));
      const assignment = explainLosses(eligible, causes, pools);
      const got = assignment.filter((x) => x !== undefined).length;
      // the assignment itself keeps to the windows and the capacities
      assignment.forEach((c, i) => assert.ok(c === undefined || eligible[i]!.includes(c), `span ${i} outside its windows`));
      causes.forEach((cause, c) => assert.ok(cause.capacity === undefined || assignment.filter((x) => x === c).length <= cause.capacity, `cause ${c} over its capacity`));
      assert.ok(assignment.filter((c) => c !== undefined && causes[c]!.pool).length <= pools.get('drops')!, 'pool over its capacity');
      // exhaustive: every way of giving each span one of its causes or none
      let best = 0;
      const use = new Array<number>(causes.length).fill(0);
      const search = (i: number, poolUsed: number, n: number): void => {
        if (i === eligible.length) { best = Math.max(best, n); return; }
        search(i + 1, poolUsed, n);
        for (const c of eligible[i]!) {
          const cause = causes[c]!;
          if (cause.capacity !== undefined && use[c]! >= cause.capacity) continue;
          if (cause.pool && poolUsed >= pools.get('drops')!) continue;
          use[c]!++;
          search(i + 1, poolUsed + (cause.pool ? 1 : 0), n + 1);
          use[c]!--;
        }
      };
      search(0, 0, 0);
      assert.equal(got, best, `round ${round}: ${JSON.stringify({ eligible, causes, pools: [...pools] })}`);
    }
  });
});
