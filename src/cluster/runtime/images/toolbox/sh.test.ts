import { afterAll, beforeAll, expect, it } from 'vitest';
import { ScratchLab } from './scratch-lab.ts';
import { evaluateArithmetic } from './sh.ts';

let box: ScratchLab;
beforeAll(async () => {
  box = await ScratchLab.create();
});
afterAll(() => box.remove());

/** Runs `sh -c script` in this process against a scratch rootfs. */
async function sh(script: string, stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const { code, out, err } = await box.run(['sh', '-c', script], stdin);
  return { code, out: out.toString(), err };
}

it('expands variables, quotes, command substitution and arithmetic', async () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
  expect((await sh('echo "hello $NAME" \'$NAME\' ${NAME} ${MISSING:-dflt}')).out).toBe(
    'hello world $NAME world dflt\n',
  );
  expect((await sh('x="a  b"; echo $x; echo "$x"')).out).toBe('a b\na  b\n');
  expect((await sh('echo $(echo inner | wc -l) $((2 + 3 * (4 - 1)))')).out).toBe('1 11\n');
  expect(evaluateArithmetic('i + 1 == 3 && 1', (n) => (n === 'i' ? 2 : 0))).toBe(1);
});

it('runs lists, pipelines, loops and conditions with their exit statuses', async () => {
  expect(await sh('false || echo recovered; true && echo ok; false; echo $?')).toEqual({
    code: 0,
    out: 'recovered\nok\n1\n',
    err: '',
  });
  expect((await sh('for w in a b c; do echo $w; done | grep -v b | wc -l')).out).toBe('2\n');
  expect(
    (await sh('if [ "$NAME" = world ]; then echo yes; elif true; then echo no; else echo never; fi')).out,
  ).toBe('yes\n');
  expect((await sh('i=0; until [ $i -ge 2 ]; do i=$((i+1)); done; echo $i')).out).toBe('2\n');
  expect((await sh('cat | head -n 2', 'one\ntwo\nthree\n')).out).toBe('one\ntwo\n');
  expect((await sh('exit 7; echo not here')).code).toBe(7);
});

it('reads lines of input into variables, leaving the rest for the next reader', async () => {
  expect((await sh('read line; echo "got $line"', 'hello world\n')).out).toBe('got hello world\n');
  expect((await sh('read a b; echo "[$a] [$b]"; cat', '  one two  three \nnext\n')).out).toBe(
    '[one] [two  three]\nnext\n',
  );
  expect((await sh('read -r; echo "$REPLY"; read x', 'a\\b')).out).toBe('a\\b\n');
  expect((await sh('read a; echo $? "[$a]"; read b; echo $? "[$b]"', 'x\nabc')).out).toBe('0 [x]\n1 [abc]\n');
  expect((await sh('while read n; do echo "n=$n"; done', '1\n2\n')).out).toBe('n=1\nn=2\n');
});

it('redirects to files, appends, reads them back and merges stderr', async () => {
  const r = await sh(
    'mkdir -p /srv/x && cd /srv/x && echo one > f && echo two >> f; cat < f; pwd; ls /nope 2>&1; cat /srv/x/f 2>/dev/null | tail -n 1',
  );
  expect(r.out).toBe('one\ntwo\n/srv/x\nls: /nope: No such file or directory\ntwo\n');
});

it('reports what busybox reports for missing commands, files and bad syntax', async () => {
  expect(await sh('nosuch arg')).toEqual({ code: 127, out: '', err: 'sh: nosuch: not found\n' });
  expect((await sh('cat /missing')).err).toBe("cat: can't open '/missing': No such file or directory\n");
  expect((await sh('if true; then echo')).err).toMatch(/^sh: syntax error: unexpected end of file/);
  expect((await sh('nslookup kubernetes.default')).out).toBe(
    ';; connection timed out; no servers could be reached\n\n',
  );
});

it('sorts and counts as scripts do', async () => {
  expect((await sh('for i in $(seq 3 -1 1); do echo $i; done | sort -n')).out).toBe('1\n2\n3\n');
  expect((await sh('seq 2; seq 4 5', '')).out).toBe('1\n2\n4\n5\n');
  expect((await sh('sort -ru', 'b\na\nb\n')).out).toBe('b\na\n');
});
