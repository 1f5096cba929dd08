import { loadCatalog } from './src/health/catalog.ts';
import { compileRuleSet } from './src/health/rules.ts';
const idx = loadCatalog();
let n = 0, kinds = 0;
for (const { entry, file } of idx.entries) {
  kinds += entry.kinds.length;
  const { problems } = compileRuleSet(`${entry.group}/${entry.kinds[0]}`, entry);
  for (const p of problems) { n++; console.log(file, entry.group, entry.kinds[0], 'rule', p.rule + 1, p.key, p.message); }
}
console.log('entries', idx.entries.length, 'kinds', kinds, 'problems', n);
