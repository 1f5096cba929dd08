import { compileExpression, bindingsOf, withConditions } from './src/health/cel.ts';
const obj = { apiVersion: 'x/v1', kind: 'K', metadata: { generation: 2 }, spec: { replicas: 3 }, status: { readyReplicas: 3, phase: 'Running', conditions: [{ type: 'Ready', status: 'False', reason: 'Nope' }] } };
for (const src of ['status.readyReplicas >= spec.replicas', 'status.readyReplicas == 3', 'status.readyReplicas > 2.5', 'cond("Ready") == "False" && condReason("Ready") == "Nope"', 'has(status.foo)', 'status.foo == 1', 'status.?foo.orValue(0) == 0', 'status.conditions.exists(c, c.type == "Ready")', 'cond("Ready") +', 'cond(1) == ""', '1 + 1', 'self.metadata.generation == 2', 'phase == "Running"', 'status.?health.?status.orValue("") == ""', 'metadata.generation > 1']) {
  const c = compileExpression(src, 'bool');
  if (!c.ok) { console.log('COMPILE', src, c); continue; }
  console.log(src, '=>', withConditions(obj.status.conditions, () => c.expression.evaluate(bindingsOf(obj, 'Running', true))));
}
