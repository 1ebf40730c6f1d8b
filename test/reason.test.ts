import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildReason } from '../src/common/reason.js';

describe('reason line (reference: reason_template, Args preview, Automated action)', () => {
  test('template filled with named arguments', () => {
    assert.equal(buildReason('Drop table {table_name}', { table_name: 'users' }), 'Drop table users');
    assert.equal(buildReason('{a}/{b}', { a: 1, b: { c: 2 } }), '1/{"c":2}');
  });
  test('a missing key gives the raw template', () => {
    assert.equal(buildReason('Drop {table_name}', { other: 1 }), 'Drop {table_name}');
    assert.equal(buildReason('Drop {0}', { other: 1 }), 'Drop {0}');
  });
  test('never evaluated: attribute access or code in braces is just a missing key', () => {
    assert.equal(buildReason('{constructor.name} {__proto__}', {}), '{constructor.name} {__proto__}');
    assert.equal(buildReason('{a.toString}', { a: 'x' }), '{a.toString}');
  });
  test('doubled braces are literal braces', () => {
    assert.equal(buildReason('{{x}} is {x}', { x: 'y' }), '{x} is y');
  });
  test('no template: the first three arguments, values cut at 60', () => {
    const long = 'v'.repeat(100);
    assert.equal(buildReason('', { a: 1, b: long, c: true, d: 'not shown' }), `Args: a=1, b=${'v'.repeat(60)}, c=true`);
  });
  test('no template and no named arguments: Automated action', () => {
    assert.equal(buildReason(undefined, {}), 'Automated action');
  });
});
