// Kubernetes resource quantities (`10Gi`, `500m`, `1.5`, `2e3`, `100M`, `1Ki`) as plain numbers.
// Grammar from k8s.io/apimachinery/pkg/api/resource: <signedNumber><binarySI|decimalSI|exponent>.

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|(n|u|m|k|M|G|T|P|E))?$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

export function parseQuantity(text: string): number | undefined {
  if (text.length > 64) return undefined;
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  let v: number;
  if (m[2] !== undefined) v = n * (BINARY[m[2]] as number);
  else if (m[3] !== undefined) v = n * 10 ** Number(m[3]);
  else if (m[4] !== undefined) v = n * (DECIMAL[m[4]] as number);
  else v = n;
  return Number.isFinite(v) ? v : undefined;
}
