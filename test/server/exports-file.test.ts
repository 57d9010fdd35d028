/** The exports(5) parser: what each valid line means, and where each kind of mistake is reported. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firstMatch } from '../../src/server/access.js';
import { exportIdOf } from '../../src/server/exports.js';
import { EXPORTS_FILE_DEFAULTS, ExportsFileError, parseExports, type ParsedClientRule } from '../../src/server/exports-file.js';

const one = (text: string) => {
  const entries = parseExports(text, 'f');
  assert.equal(entries.length, 1);
  return entries[0]!;
};

/** The options a client at `address` (with `names`) gets on the single export of `text`. */
const grant = (text: string, address: string, names: string[] = []) => firstMatch(one(text).clients, address, names);

describe('exports file: valid lines', () => {
  test('the example line: networks, wildcard names and a bare host', () => {
    const e = one('/srv/media  192.168.1.0/24(rw,sync,root_squash) *.lan(ro) host1(rw)\n');
    assert.equal(e.path, '/srv/media');
    assert.deepEqual(e.clients.map((c) => c.host), ['192.168.1.0/24', '*.lan', 'host1']);
    assert.equal(e.id, undefined);
    assert.equal(grant('/srv/media 192.168.1.0/24(rw)', '192.168.1.77')?.readOnly, false);
    assert.equal(grant('/srv/media 192.168.1.0/24(rw)', '192.168.2.1'), undefined);
    assert.equal(grant('/srv/media 192.168.1.0/24(rw)', '::ffff:192.168.1.5')?.readOnly, false, 'IPv4-mapped callers are IPv4');
  });

  test("knfsd's defaults: ro, root_squash, secure, anon 65534", () => {
    assert.deepEqual(one('/a *').clients[0]!.options, EXPORTS_FILE_DEFAULTS);
    assert.deepEqual(EXPORTS_FILE_DEFAULTS, { readOnly: true, anonUid: 65534, anonGid: 65534, noRootSquash: false, allSquash: false, secure: true });
    assert.equal((one('/a *').clients[0] as ParsedClientRule).writes, 'sync');
  });

  test('every option', () => {
    const o = one('/a *(rw,async,no_root_squash,all_squash,anonuid=1000,anongid=100,insecure,no_subtree_check,wdelay,no_wdelay,sec=sys)').clients[0]!;
    assert.deepEqual(o.options, { readOnly: false, anonUid: 1000, anonGid: 100, noRootSquash: true, allSquash: true, secure: false });
    assert.equal((o as ParsedClientRule).writes, 'async');
    const back = one('/a *(rw,ro,insecure,secure,no_root_squash,root_squash,all_squash,no_all_squash)').clients[0]!.options;
    assert.deepEqual(back, EXPORTS_FILE_DEFAULTS, 'the last of two contradicting options wins');
  });

  test('hosts: IPv4 address and netmask, IPv6 address and prefix, names, wildcards, *', () => {
    const text = '/a 10.0.0.1(rw) 10.1.0.0/255.255.0.0(rw) 2001:db8::/32(rw) ::1(rw) h.example(rw) web?.lan(rw) *.corp(rw)';
    const rw = (address: string, names: string[] = []) => grant(text, address, names)?.readOnly === false;
    assert.ok(rw('10.0.0.1'));
    assert.ok(!rw('10.0.0.2'));
    assert.ok(rw('10.1.200.3'));
    assert.ok(!rw('10.2.0.1'));
    assert.ok(rw('2001:db8:1::5'));
    assert.ok(!rw('2001:db9::5'));
    assert.ok(rw('::1'));
    assert.ok(rw('192.0.2.1', ['h.example']));
    assert.ok(!rw('192.0.2.1', ['x.h.example']));
    assert.ok(rw('192.0.2.1', ['web1.lan']));
    assert.ok(!rw('192.0.2.1', ['web12.lan']), '? is one character');
    assert.ok(rw('192.0.2.1', ['a.b.corp']), '* also matches dots (exports(5))');
    assert.ok(!rw('192.0.2.1', ['corp']));
    assert.equal(grant('/a *(rw)', '203.0.113.9')?.readOnly, false);
  });

  test('host names match case-insensitively, written in any case', () => {
    assert.equal(grant('/a Host1.LAN(rw)', '192.0.2.1', ['host1.lan'])?.readOnly, false);
  });

  test('first match wins, as knfsd', () => {
    const text = '/a 10.0.0.0/8(ro) 10.0.0.1(rw)';
    assert.equal(grant(text, '10.0.0.1')?.readOnly, true);
  });

  test('quoted paths and octal escapes; comments; blank lines; continuation', () => {
    const entries = parseExports(
      ['# comment', '', '"/srv/my files" *(rw) # trailing', '/srv/a\\040b\\\\', '  *(ro) \\', '  10.0.0.1', '\t'].join('\n'),
      'f',
    );
    assert.deepEqual(entries.map((e) => e.path), ['/srv/my files', '/srv/a b\\']);
    assert.deepEqual(entries[1]!.clients.map((c) => c.host), ['*', '10.0.0.1']);
    assert.equal(entries[1]!.line, 4);
  });

  test('paths are normalized', () => {
    assert.equal(one('/srv//media/./ *').path, '/srv/media');
    assert.equal(one('/ *').path, '/');
  });

  test('-options set the defaults for the specs after them on the line only', () => {
    const entries = parseExports('/a h1 -rw,insecure h2 h3(ro)\n/b h4', 'f');
    const [h1, h2, h3] = entries[0]!.clients.map((c) => c.options);
    assert.equal(h1!.readOnly, true);
    assert.deepEqual([h2!.readOnly, h2!.secure], [false, false]);
    assert.deepEqual([h3!.readOnly, h3!.secure], [true, false], 'a spec builds on the defaults');
    assert.equal(entries[1]!.clients[0]!.options.readOnly, true);
  });

  test('spaces inside an option list are forgiven', () => {
    assert.equal(one('/a *(rw, insecure)').clients[0]!.options.secure, false);
  });

  test('fsid= number, root, uuid; mountpoint and mp', () => {
    assert.equal(one('/a *(fsid=42)').id, 42);
    assert.equal(one('/a *(fsid=root)').id, 0);
    const uuid = one('/a *(fsid=0123abcd-0123-4567-89ab-0123456789AB)').id;
    assert.equal(uuid, exportIdOf('uuid:0123abcd0123456789ab0123456789ab'));
    assert.equal(one('/a *(fsid=7) h(fsid=7)').id, 7, 'the same fsid twice agrees');
    assert.equal(one('/a *(mountpoint)').mountpoint, '/a');
    assert.equal(one('/a *(mp=/mnt)').mountpoint, '/mnt');
    assert.equal(one('/a *').mountpoint, undefined);
  });

  test('the same path on two lines: one export, clients in order', () => {
    const entries = parseExports('/a h1(rw)\n/a/ h2', 'f');
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0]!.clients.map((c) => c.host), ['h1', 'h2']);
  });

  test('an empty file (or only comments) exports nothing', () => {
    assert.deepEqual(parseExports('', 'f'), []);
    assert.deepEqual(parseExports('# nothing\n\n', 'f'), []);
  });
});

describe('exports file: errors with file:line:column', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown option', '/a *(rw,bogus)', /^f:1:9: unknown option "bogus"$/],
    ['unknown option with a value', '/a *(color=red)', /^f:1:6: unknown option "color=red"$/],
    ['a flag with a value', '/a *(rw=1)', /^f:1:6: option rw takes no value$/],
    ['empty option', '/a *(rw,,ro)', /^f:1:9: empty option$/],
    ['bad anonuid', '/a *(anonuid=x)', /^f:1:6: anonuid= needs a number/],
    ['anonuid out of range', '/a *(anonuid=4294967296)', /anonuid= needs a number/],
    ['bad fsid', '/a *(fsid=zz)', /fsid= needs a number, "root" or a 128-bit uuid/],
    ['conflicting fsid', '/a h1(fsid=1) h2(fsid=2)', /^f:1:18: fsid=2 conflicts with fsid=1/],
    ['conflicting mountpoint', '/a h1(mp=/x) h2(mp=/y)', /conflicts with mp=\/x/],
    ['relative mountpoint', '/a *(mp=x)', /mp=x: not an absolute path/],
    ['subtree_check', '/a *(subtree_check)', /subtree_check is not supported/],
    ['sec=krb5', '/a *(sec=krb5)', /only sec=sys/],
    ['relative path', 'srv *', /^f:1:1: "srv": an export path must be absolute$/],
    ['dot-dot in path', '/srv/../etc *', /'\.\.' is not allowed/],
    ['no client', '/srv', /^f:1:1: \/srv: no client given/],
    ['options after a space', '/srv (rw)', /^f:1:6: "\(rw\)": an option list after a space applies to every host; write \*\(rw\)/],
    ['unclosed option list', '/a h(rw', /^f:1:5: option list not closed with "\)"$/],
    ['unopened option list', '/a h)rw', /'?"\)" without "\("/],
    ['text after the list', '/a h(rw)x', /text after the option list/],
    ['two option lists', '/a h(rw)(ro)', /a second "\(" in one client spec/],
    ['unclosed quote', '"/a *', /quote not closed/],
    ['netgroup', '/a @trusted(rw)', /NIS netgroups are not supported/],
    ['kerberos client', '/a gss/krb5(rw)', /Kerberos clients are not supported/],
    ['bad prefix', '/a 10.0.0.0/33(rw)', /10\.0\.0\.0\/33: bad network mask "33"/],
    ['non-contiguous netmask', '/a 10.0.0.0/255.0.255.0', /bad network mask/],
    ['name with a slash', '/a host/24', /not an address\/prefix/],
    ['bad characters in a name', '/a ho$t', /not a host name, address, network or wildcard/],
    ['a client twice', '/a h(rw) h(ro)', /h is listed twice for \/a/],
    ['defaults with parentheses', '/a -(rw) h', /default options are written -opt,opt/],
    ['an error on a later line', '# c\n/a *\n/b *(nope)', /^f:3:6: unknown option "nope"$/],
  ];
  for (const [what, text, expected] of cases) {
    test(what, () => {
      assert.throws(
        () => parseExports(text, 'f'),
        (err: unknown) => {
          assert.ok(err instanceof ExportsFileError, String(err));
          assert.match(err.message, expected);
          return true;
        },
      );
    });
  }

  test('every problem of a file is reported, in order', () => {
    try {
      parseExports('/b *(x)\n/a *(y) h(z)\nrel *', 'exports');
      assert.fail('no error');
    } catch (err) {
      assert.ok(err instanceof ExportsFileError);
      assert.deepEqual(
        err.problems.map((p) => `${p.line}:${p.column}`),
        ['1:6', '2:6', '2:11', '3:1'],
      );
      assert.equal(err.message.split('\n').length, 4);
      assert.match(err.message, /^exports:1:6: /);
    }
  });
});
