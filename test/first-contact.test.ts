/**
 * Issue 14: first contact. --help and --version (bin and yo), unknown options and misspelt subcommands refused
 * with a suggestion, the argument check's edge cases, the prompts one at a time with the rules relating answers,
 * the next-steps block, the emitted Makefile's default target, and subgenerators outside or below a project.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ANSWER_SPECS, optionName, projectNameFromFolder, regionFromEnvironment } from '../generators/lib/answers.js';
import type { AnswerSpec } from '../generators/lib/answers.js';
import { RUN_OPTIONS, UsageError, checkArgs, closest, helpText } from '../generators/lib/cli.js';
import { nextSteps } from '../generators/lib/next-steps.js';
import { askInOrder } from '../generators/lib/prompts.js';
import type { Question } from '../generators/lib/prompts.js';
import { GENERATOR_NAMES, PIECES } from '../generators/lib/registry.js';
import {
  BASE_ARGS,
  ROOT,
  YO,
  generateProject,
  run,
  secureEmr,
  tempDir,
  treeHashes,
  yoSandbox,
} from './support/helpers.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('--help and --version', () => {
  it('secure-emr --help: usage, every generator, every option with its default and choices, examples; exit 0, nothing written', () => {
    const dir = tempDir();
    for (const flag of ['--help', '-h']) {
      const r = secureEmr(dir, [flag]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^Usage: secure-emr \[options\]/);
      for (const name of GENERATOR_NAMES.filter((n) => n !== 'app'))
        assert.match(r.stdout, new RegExp(`secure-emr ${name} `));
      for (const spec of ANSWER_SPECS) assert.ok(r.stdout.includes(`--${optionName(spec.name)}`), spec.name);
      for (const option of RUN_OPTIONS) assert.ok(r.stdout.includes(`--${option.name}`), option.name);
      assert.match(r.stdout, /--s3-encryption-mode <CSE-KMS\|SSE-KMS\|SSE-S3>/);
      assert.match(r.stdout, /\[default: 10\.0\.0\.0\/16/);
      assert.match(r.stdout, /--account-id <value> +.*\[default: none\s+\(required\)\]/s);
      assert.match(r.stdout, /Examples:/);
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  it('secure-emr <piece> --help: the piece, its own flags, not the generator run; inside a project nothing changes', () => {
    const dir = generateProject();
    const before = treeHashes(dir);
    const r = secureEmr(dir, ['certs', '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: secure-emr certs \[options\]/);
    assert.match(r.stdout, /--rotate +Archive the current key/);
    assert.match(r.stdout, /--check/);
    const kms = secureEmr(dir, ['kms', '--help']);
    assert.equal(kms.status, 0);
    assert.doesNotMatch(kms.stdout, /--rotate +Archive the current key/);
    assert.deepEqual(treeHashes(dir), before);
  });

  it('--version and -v print the package version; nothing written', () => {
    const dir = tempDir();
    for (const args of [['--version'], ['-v'], ['certs', '--version']]) {
      const r = secureEmr(dir, args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), VERSION);
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  it('the help text comes from the declarations and the registry', () => {
    const text = helpText('app', 'yo');
    assert.match(text, /^Usage: yo secure-emr \[options\]/);
    for (const piece of PIECES.filter((p) => p.name !== 'app')) assert.ok(text.includes(`yo secure-emr:${piece.name}`));
    assert.match(text, /AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1/);
  });
});

describe('unknown options and misspelt subcommands', () => {
  const cases: Array<{ args: string[]; message: RegExp }> = [
    { args: ['--dryrun'], message: /unknown option --dryrun; did you mean --dry-run\?/ },
    { args: ['--regoin', 'eu-west-1'], message: /unknown option --regoin; did you mean --region\?/ },
    { args: ['certs', '--rotat'], message: /unknown option --rotat; did you mean --rotate\?/ },
    { args: ['cert'], message: /unknown generator "cert"; did you mean certs\?/ },
    { args: ['--dry-run=yes'], message: /--dry-run is a flag and takes no value/ },
    { args: ['--region', 'eu-west-1', '--region', 'us-east-1'], message: /--region given twice with different values/ },
    { args: ['--region'], message: /--region needs a value/ },
    { args: ['--zzzzzzzz'], message: /unknown option --zzzzzzzz\.\nRun `secure-emr --help`/ },
    { args: ['certs', 'rotate'], message: /unexpected argument "rotate"; did you mean --rotate\?/ },
    { args: ['certs', '--rotate', '--check'], message: /--rotate and --check exclude each other/ },
  ];
  for (const { args, message } of cases) {
    it(`secure-emr ${args.join(' ')}: exit 2, one message, nothing written`, () => {
      const dir = tempDir();
      const r = secureEmr(dir, [...args, ...BASE_ARGS]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  it('accepts what it should: --no-flag, --flag=true, --name=value, the same value twice', () => {
    assert.deepEqual(
      checkArgs('app', ['--no-offline', '--force=true', '--region=eu-west-1', '--region', 'eu-west-1']),
      {
        help: false,
        version: false,
        args: ['--no-offline', '--force=true', '--region=eu-west-1'],
        repeated: { region: 'eu-west-1' },
      },
    );
    assert.equal(checkArgs('certs', ['--rotate', '-h']).help, true);
    assert.throws(() => checkArgs('app', ['--rotate']), UsageError, 'a piece flag belongs to its piece only');
    assert.throws(() => checkArgs('app', ['--force', '--no-force']), /given twice with different values/);
    assert.equal(checkArgs('app', ['--core-instance-count', '-1'], []).help, false, 'a negative number is a value');
  });

  it('suggestions: edit distance and prefixes, nothing for a far-off word', () => {
    assert.equal(closest('dryrun', ['dry-run', 'defaults']), 'dry-run');
    assert.equal(closest('rotat', ['rotate', 'check']), 'rotate');
    assert.equal(closest('xylophone', ['rotate', 'check']), undefined);
  });
});

describe('the real yo binary: help, unknown options, no project', () => {
  it('yo secure-emr --help and yo secure-emr:certs --help print our help; --dryrun is refused; nothing written', () => {
    const { target, env } = yoSandbox();
    chmodSync(ROOT, 0o755);
    const help = run(YO, ['secure-emr', '--help', '--no-insight'], { cwd: target, env });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: yo secure-emr \[options\]/);
    assert.match(help.stdout, /yo secure-emr:certs/);
    const certs = run(YO, ['secure-emr:certs', '--help', '--no-insight'], { cwd: target, env });
    assert.equal(certs.status, 0, certs.stderr);
    assert.match(certs.stdout, /Usage: yo secure-emr:certs \[options\]/);
    assert.match(certs.stdout, /--rotate/);
    const typo = run(YO, ['secure-emr', '--dryrun', ...BASE_ARGS, '--no-insight'], { cwd: target, env });
    assert.equal(typo.status, 2, typo.stdout + typo.stderr);
    assert.match(typo.stderr, /unknown option --dryrun; did you mean --dry-run\?/);
    const outside = run(YO, ['secure-emr:kms', '--no-insight'], { cwd: target, env });
    assert.equal(outside.status, 1, outside.stdout + outside.stderr);
    assert.match(outside.stdout + outside.stderr, /No secure-emr project in .* or above it/);
    assert.deepEqual(readdirSync(target), []);
  });

  it('a run under yo prints only our lines: no conflicter lines, no install message, no deprecations', () => {
    const { target, env } = yoSandbox();
    chmodSync(ROOT, 0o755);
    const r = run(YO, ['secure-emr', ...BASE_ARGS, '--no-insight'], { cwd: target, env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    for (const noise of [/force \.yo-rc\.json/, /^\s*create /m, /No change to package\.json/, /deprecated/i])
      assert.doesNotMatch(out, noise);
    assert.match(out, /secure-emr: \d+ added/);
    assert.match(out, /Next steps:/);
  });
});

describe('subgenerators and the project root', () => {
  it('outside a project: refused with a clear message, exit 1, nothing written, nothing asked', () => {
    const dir = tempDir();
    const r = secureEmr(dir, ['kms', '--interactive']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /No secure-emr project in .* or above it \(no \.yo-rc\.json with a generator-secure-emr entry\); nothing was written/,
    );
    assert.doesNotMatch(r.stderr, /An error occured/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('from a subfolder: works on the project above and writes nothing in the subfolder', () => {
    const dir = generateProject();
    const sub = join(dir, 'jobs', 'more');
    mkdirSync(sub, { recursive: true });
    const r = secureEmr(sub, ['kms', '--region', 'eu-west-1']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(sub), []);
    assert.match(readFileSync(join(dir, '.yo-rc.json'), 'utf8'), /"region": "eu-west-1"/);
  });
});

describe('errors and output of the bin', () => {
  it('an error is one clear message and exit 1, without Yeoman\'s "An error occured" line', () => {
    const r = secureEmr(tempDir(), ['--offline', '--region', 'moon-1']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /- region: "moon-1" is not valid/);
    assert.doesNotMatch(r.stdout + r.stderr, /An error occured|✖/);
  });

  it('a run prints the summary and the next steps, and no Yeoman file lines', () => {
    const r = secureEmr(tempDir(), BASE_ARGS);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout + r.stderr;
    assert.doesNotMatch(out, /force \.yo-rc\.json|^\s*create |No change to package\.json/m);
    assert.match(out, /Next steps:\n {2}1\. Log in to account 123456789012/);
  });
});

describe('next steps', () => {
  const answers = {
    accountId: '210987654321',
    region: 'eu-west-1',
    keyPairName: 'payments',
    instanceType: 'r5.2xlarge',
    coreInstanceCount: 4,
    idleTimeoutMinutes: 30,
    network: 'new-vpc' as const,
    access: 'bastion' as const,
    egress: 'nat' as const,
  };
  it('names the account, the exact key pair command, the cost of make deploy and make teardown', () => {
    const text = nextSteps(answers).join('\n');
    assert.match(text, /^Next steps:/);
    assert.match(text, /aws sso login/);
    assert.match(text, /aws configure/);
    assert.match(text, /account 210987654321/);
    assert.ok(
      text.includes(
        'aws ec2 create-key-pair --region eu-west-1 --key-name payments --query KeyMaterial --output text | (umask 077 && cat > ~/.ssh/payments.pem) && chmod 400 ~/.ssh/payments.pem',
      ),
    );
    assert.match(text, /`make deploy`[^]*costs money[^]*5 r5\.2xlarge nodes[^]*30 idle minutes/);
    assert.match(text, /`make teardown`/);
  });
});

describe('the emitted Makefile', () => {
  it('plain make lists the targets and creates nothing; billable targets say so', () => {
    const dir = generateProject();
    const plain = run('make', ['-n'], { cwd: dir });
    assert.equal(plain.status, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /deploy\.sh/);
    const help = run('make', [], { cwd: dir });
    assert.equal(help.status, 0, help.stderr);
    for (const target of ['deploy', 'jobs', 'verify', 'teardown', 'certs', 'lint', 'help'])
      assert.match(help.stdout, new RegExp(`^ {2}${target} `, 'm'), target);
    assert.match(help.stdout, /deploy .*BILLABLE/);
    assert.match(help.stdout, /jobs .*billable/);
  });
});

describe('the commands the READMEs give', () => {
  it('the package README gives the published commands and the root note; the emitted README never says npx secure-emr', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.includes('npm install -g yo generator-secure-emr'));
    assert.ok(readme.includes('npx -p generator-secure-emr secure-emr'));
    assert.match(readme, /yo` refuses root|refuses root|as root, `yo` drops to uid 1000/);
    assert.doesNotMatch(readme, /npx secure-emr/);
    const emitted = readFileSync(join(generateProject(), 'README.md'), 'utf8');
    assert.doesNotMatch(emitted, /npx secure-emr/);
    assert.ok(emitted.includes('npx -p generator-secure-emr secure-emr'));
    assert.ok(emitted.includes('aws ec2 create-key-pair --region us-east-1 --key-name secure-emr'));
  });
});

describe('defaults from the environment', () => {
  it('region from AWS_REGION, else AWS_DEFAULT_REGION, ignoring invalid values', () => {
    assert.equal(regionFromEnvironment({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' }), 'eu-west-1');
    assert.equal(regionFromEnvironment({ AWS_DEFAULT_REGION: 'us-west-2' }), 'us-west-2');
    assert.equal(regionFromEnvironment({ AWS_REGION: 'moon-1' }), undefined);
    assert.equal(regionFromEnvironment({}), undefined);
  });

  it('project name from the folder name when it is valid', () => {
    assert.equal(projectNameFromFolder('/home/me/payments-emr'), 'payments-emr');
    assert.equal(projectNameFromFolder('/home/me/My EMR'), undefined);
    assert.equal(projectNameFromFolder('/tmp/Tsecure-emr-x1'), undefined);
  });

  it('an option repeated with the same value counts once', () => {
    const dir = tempDir();
    const r = secureEmr(dir, [...BASE_ARGS, '--region', 'eu-west-1', '--region=eu-west-1', '--offline']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(join(dir, '.yo-rc.json'), 'utf8'), /"region": "eu-west-1"/);
  });

  it('a run takes both when not given', () => {
    const parent = tempDir();
    const dir = join(parent, 'payments-emr');
    mkdirSync(dir);
    const r = secureEmr(
      dir,
      ['--defaults', '--offline', '--account-id', '123456789012', '--ssh-cidr', '203.0.113.0/24'],
      {
        ...process.env,
        AWS_REGION: '',
        AWS_DEFAULT_REGION: 'eu-north-1',
        AWS_ACCESS_KEY_ID: '',
        HOME: tempDir('home-'),
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const stored = JSON.parse(readFileSync(join(dir, '.yo-rc.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    assert.equal(stored['generator-secure-emr']?.projectName, 'payments-emr');
    assert.equal(stored['generator-secure-emr']?.region, 'eu-north-1');
    assert.ok(existsSync(join(dir, 'cfn', 'kms.json')));
  });
});

describe('the prompts, one at a time', () => {
  const specs = (...names: string[]): AnswerSpec[] =>
    names.map((n) => ANSWER_SPECS.find((s) => s.name === n) as AnswerSpec);
  /** A scripted prompt: answers in order; records the questions and what each input prompt's validate said. */
  function scripted(answers: unknown[]) {
    const asked: string[] = [];
    const refusedAtPrompt: string[] = [];
    const prompt = async (q: Question): Promise<unknown> => {
      for (;;) {
        if (answers.length === 0) throw new Error(`no scripted answer for ${q.name}`);
        const raw = answers.shift();
        asked.push(`${q.name}=${String(raw)}`);
        const verdict = q.validate ? q.validate(raw) : true;
        if (verdict === true) return raw;
        refusedAtPrompt.push(`${q.name}: ${verdict}`);
      }
    };
    return { prompt, asked, refusedAtPrompt };
  }

  it('a subnet outside the VPC and overlapping subnets are refused at their own prompt, given the earlier answers', async () => {
    const s = scripted(['10.0.0.0/16', '10.9.0.0/24', '10.0.1.0/24', '10.0.1.0/25', '10.0.2.0/24']);
    const log: string[] = [];
    const out = await askInOrder({}, specs('vpcCidr', 'publicSubnetCidr', 'privateSubnetCidr'), s.prompt, (l) =>
      log.push(l),
    );
    assert.deepEqual(out, {
      vpcCidr: '10.0.0.0/16',
      publicSubnetCidr: '10.0.1.0/24',
      privateSubnetCidr: '10.0.2.0/24',
    });
    assert.equal(s.refusedAtPrompt.length, 2);
    assert.match(
      s.refusedAtPrompt[0] ?? '',
      /^publicSubnetCidr: "10\.9\.0\.0\/24" is not inside vpcCidr 10\.0\.0\.0\/16/,
    );
    assert.match(s.refusedAtPrompt[1] ?? '', /^privateSubnetCidr: .*overlaps publicSubnetCidr/);
  });

  it('the same alias for both keys is refused at the second', async () => {
    const s = scripted(['alias/a', 'alias/a', 'alias/b']);
    const out = await askInOrder({}, specs('s3KeyAlias', 'diskKeyAlias'), s.prompt, () => undefined);
    assert.deepEqual(out, { s3KeyAlias: 'alias/a', diskKeyAlias: 'alias/b' });
    assert.match(s.refusedAtPrompt[0] ?? '', /^diskKeyAlias: .*the two keys need different aliases/);
  });

  it('an open SSH range is confirmed right after; refusing asks for the range again; nothing earlier is lost', async () => {
    const s = scripted(['0.0.0.0/0', false, '203.0.113.0/24', 'payments']);
    const log: string[] = [];
    const out = await askInOrder(
      { projectName: 'p' },
      specs('sshCidr', 'allowSshFromAnywhere', 'keyPairName'),
      s.prompt,
      (l) => log.push(l),
    );
    assert.deepEqual(s.asked, [
      'sshCidr=0.0.0.0/0',
      'allowSshFromAnywhere=false',
      'sshCidr=203.0.113.0/24',
      'keyPairName=payments',
    ]);
    assert.deepEqual(out, { sshCidr: '203.0.113.0/24', keyPairName: 'payments' });
    assert.match(log.join('\n'), /✖ sshCidr: "0\.0\.0\.0\/0" opens SSH/);
    const confirmed = scripted(['0.0.0.0/0', true]);
    const out2 = await askInOrder({}, specs('sshCidr', 'allowSshFromAnywhere'), confirmed.prompt, () => undefined);
    assert.deepEqual(out2, { sshCidr: '0.0.0.0/0', allowSshFromAnywhere: true });
  });

  it('choices use select (not the deprecated list); --defaults asks only what has no default', async () => {
    const seen: Question[] = [];
    const out = await askInOrder(
      {},
      specs('projectName', 'region', 'accountId', 'bucketName', 's3EncryptionMode', 'sshCidr'),
      async (q) => {
        seen.push(q);
        return q.name === 'accountId' ? '123456789012' : '203.0.113.0/24';
      },
      () => undefined,
      true,
    );
    assert.deepEqual(
      seen.map((q) => q.name),
      ['accountId', 'sshCidr'],
    );
    assert.equal(out.bucketName, `${String(out.projectName)}-123456789012-${String(out.region)}`);
    assert.equal(out.s3EncryptionMode, 'CSE-KMS');
    const choice = await askInOrder(
      {},
      specs('s3EncryptionMode'),
      async (q) => {
        assert.equal(q.type, 'select');
        return 'SSE-KMS';
      },
      () => undefined,
    );
    assert.deepEqual(choice, { s3EncryptionMode: 'SSE-KMS' });
  });
});
