// Built-in redaction: one table per credential shape (the secret must be gone, the context kept),
// redaction before truncation, config patterns in a linear-time engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRedactor, labelValue, MAX_LABEL_VALUE, redact } from '../../src/extract/index.ts';
import { boundedInput, MAX_REDACT_INPUT } from '../../src/extract/redact.ts';
import { redactPatternProblem } from '../../src/config/index.ts';

// [input, expected output, the secret that must not survive]
type Case = readonly [string, string, string];

const SHAPES: Record<string, readonly Case[]> = {
  'URL user info': [
    ['postgres://app:hunter2@db:5432/app', 'postgres://REDACTED@db:5432/app', 'hunter2'],
    ['amqp://guest:Gu3st!@rabbit/', 'amqp://REDACTED@rabbit/', 'Gu3st!'],
  ],
  'user:password@host without a scheme': [
    ['dsn app:hunter2@db.example.com:5432/app', 'dsn REDACTED@db.example.com:5432/app', 'hunter2'],
    ['app:hunter2@tcp(mysql:3306)/app', 'REDACTED@tcp(mysql:3306)/app', 'hunter2'],
    ['DATABASE=app:hunter2@db', 'DATABASE=REDACTED@db', 'hunter2'],
  ],
  'libpq key=value': [
    ['host=db user=app password=hunter2 dbname=app', 'host=db user=app password=REDACTED dbname=app', 'hunter2'],
    ["host=db password='two words' sslmode=require", "host=db password='REDACTED' sslmode=require", 'two words'],
  ],
  'JDBC password parameters': [
    ['jdbc:postgresql://db/app?user=app&password=hunter2&ssl=true', 'jdbc:postgresql://db/app?user=app&password=REDACTED&ssl=true', 'hunter2'],
    ['jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=hunter2;', 'jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=REDACTED;', 'hunter2'],
  ],
  'ADO.NET': [
    ['Server=db;Database=app;User Id=sa;Password=hunter2;', 'Server=db;Database=app;User Id=sa;Password=REDACTED;', 'hunter2'],
    ['Data Source=db;Uid=sa;Pwd=hunter2;', 'Data Source=db;Uid=sa;Pwd=REDACTED;', 'hunter2'],
  ],
  'Authorization header tokens': [
    ['Authorization: Bearer abc.DEF-123_xyz', 'Authorization: REDACTED', 'abc.DEF-123_xyz'],
    ['sent Bearer s3cr3tT0kenValue', 'sent Bearer REDACTED', 's3cr3tT0kenValue'],
    ['header Basic dXNlcjpodW50ZXIy', 'header Basic REDACTED', 'dXNlcjpodW50ZXIy'],
    ['Basic authentication failed', 'Basic authentication failed', '\u0000'],
  ],
  'AWS keys': [
    ['key AKIAIOSFODNN7EXAMPLE used', 'key REDACTED used', 'AKIAIOSFODNN7EXAMPLE'],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key=REDACTED', 'wJalrXUtnFEMI'],
    ['{"SecretAccessKey":"wJalrXUtnFEMI/K7MDENG"}', '{"SecretAccessKey":"REDACTED"}', 'wJalrXUtnFEMI'],
  ],
  'GCP keys': [
    ['{"private_key_id":"0123456789abcdef","private_key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIB\\n-----END PRIVATE KEY-----\\n"}', '{"private_key_id":"REDACTED","private_key":"REDACTED"}', 'MIIEvQIB'],
    ['key=AIzaSyA1234567890abcdefghijklmnopqrstu', 'key=REDACTED', 'AIzaSyA1234567890'],
    ['uses AIzaSyA1234567890abcdefghijklmnopqrstu here', 'uses REDACTED here', 'AIzaSyA1234567890'],
  ],
  'Azure connection strings': [
    ['DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=bXlrZXk=;EndpointSuffix=core.windows.net', 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=REDACTED;EndpointSuffix=core.windows.net', 'bXlrZXk='],
    ['BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&sig=abc%2Bdef%3D', 'BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=REDACTED', 'abc%2Bdef'],
    ['https://acct.blob.core.windows.net/c?sv=2022&sig=abc%2Bdef%3D&se=2030', 'https://acct.blob.core.windows.net/c?sv=2022&sig=REDACTED&se=2030', 'abc%2Bdef'],
    ['Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=c2VjcmV0', 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=REDACTED', 'c2VjcmV0'],
  ],
  'generic query parameters': [
    ['https://api.example.com/v1?token=t0k3n&page=2', 'https://api.example.com/v1?token=REDACTED&page=2', 't0k3n'],
    ['/hook?secret=s3cr3t', '/hook?secret=REDACTED', 's3cr3t'],
    ['/v1?apikey=k3y&x=1', '/v1?apikey=REDACTED&x=1', 'k3y'],
    ['/v1?api_key=k3y', '/v1?api_key=REDACTED', 'k3y'],
    ['/v1?access_token=k3y', '/v1?access_token=REDACTED', 'k3y'],
  ],
  'JWTs': [
    ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end', 'token REDACTED end', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0'],
  ],
  'PEM private keys': [
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----', 'REDACTED', 'MIIBOgIBAAJBAKj34'],
    ['cut: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg', 'cut: REDACTED', 'MHcCAQEEIBkg'],
    ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', '\u0000'],
  ],
  'last-applied-configuration': [
    [
      '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"dsn":"plain-s3cr3t","user":"app"},"type":"Opaque"}\n',
      '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"dsn":"REDACTED","user":"REDACTED"},"type":"Opaque"}\n',
      'plain-s3cr3t',
    ],
    [
      '{"apiVersion":"db.example.com/v1","kind":"DatabaseInstance","spec":{"adminPassword":"hunter2","auth":{"token":"t0k3n"},"engine":"postgres"}}',
      '{"apiVersion":"db.example.com/v1","kind":"DatabaseInstance","spec":{"adminPassword":"REDACTED","auth":{"token":"REDACTED"},"engine":"postgres"}}',
      'hunter2',
    ],
    ['{"spec":{"password":"a\\"quoted\\"pw"}}', '{"spec":{"password":"REDACTED"}}', 'quoted'],
  ],
  'kept as written': [
    ['Ready', 'Ready', '\u0000'],
    ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05Z', '\u0000'],
    ['admin@example.com', 'admin@example.com', '\u0000'],
    ['secretName=db-creds', 'secretName=db-creds', '\u0000'],
    ['https://example.com/a?page=2', 'https://example.com/a?page=2', '\u0000'],
  ],
};

for (const [shape, cases] of Object.entries(SHAPES)) {
  test(`redact: ${shape}`, async (t) => {
    for (const [input, expected, secret] of cases) {
      await t.test(input.slice(0, 60), () => {
        const out = redact(input);
        assert.equal(out, expected);
        assert.ok(!out.includes(secret), `leaked ${secret}`);
      });
    }
  });
}

test('redact: before truncation — a credential across the 16 KiB read window or the label cap never leaks', async (t) => {
  await t.test('URL across the read window', () => {
    const pad = 'x'.repeat(MAX_REDACT_INPUT - 20);
    const out = redact(`${pad} postgres://app:hunter2hunter2@db:5432/app`);
    assert.ok(!out.includes('hunter2'), out.slice(-60));
  });
  await t.test('URL across the native label cap', () => {
    const v = labelValue(`${'x'.repeat(MAX_LABEL_VALUE - 30)} postgres://app:hunter2@db/app`, redact);
    assert.equal(typeof v, 'string');
    assert.ok(!(v as string).includes('hunter2'));
  });
  await t.test('a long user info whose @ is past the window', () => {
    const out = redact(`see postgres://app:${'p'.repeat(MAX_REDACT_INPUT)}@db`);
    assert.ok(!out.includes('ppp'), out.slice(0, 40));
  });
  await t.test('boundedInput drops the partial token', () => {
    assert.equal(boundedInput('aaaa bbbbbbbb', 8), 'aaaa');
  });
});

test('redact: config patterns run in linear time and apply after the built-ins', async (t) => {
  await t.test('nested quantifiers on a 40-char value finish promptly', () => {
    const r = createRedactor(['(a+)+$', '(x|xx)+y']);
    const t0 = performance.now();
    assert.equal(r(`${'a'.repeat(40)}!`), `${'a'.repeat(40)}!`);
    assert.equal(r('x'.repeat(5000)), 'x'.repeat(5000));
    assert.ok(performance.now() - t0 < 1000, `${performance.now() - t0} ms`);
  });
  await t.test('patterns are applied', () => {
    const r = createRedactor(['internal-[0-9]+', '\\u00e9t\\u00e9']);
    assert.equal(r('host internal-42 and été'), 'host REDACTED and REDACTED');
  });
  await t.test('backreferences and lookaround are refused at validate', () => {
    assert.match(redactPatternProblem('(a)\\1') ?? '', /linear-time/);
    assert.match(redactPatternProblem('(?<=a)b') ?? '', /linear-time/);
    assert.equal(redactPatternProblem('password=[^&]*'), undefined);
  });
});

test('redact: linear on hostile input', async (t) => {
  const hostile: Record<string, string> = {
    'many @': 'a:b@'.repeat(50_000),
    'many =': 'password='.repeat(20_000),
    'unclosed quotes': 'password="'.repeat(20_000),
    'many eyJ': 'eyJ.'.repeat(50_000),
    'many schemes': 'a://'.repeat(50_000),
    'bearer spaces': `Bearer${' '.repeat(100_000)}`,
    'PEM headers': '-----BEGIN '.repeat(20_000),
  };
  for (const [name, value] of Object.entries(hostile)) {
    await t.test(name, () => {
      // Just under the read window, so every rule scans all of it.
      const input = value.slice(0, MAX_REDACT_INPUT);
      const t0 = performance.now();
      redact(input);
      assert.ok(performance.now() - t0 < 500, `${(performance.now() - t0).toFixed(0)} ms`);
    });
  }
});
