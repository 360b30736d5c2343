import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CloudAssemblyError,
  type LocalResourceNames,
  loadCloudAssembly,
  type ShippedFunction,
  UnresolvableIntrinsicError,
} from '../../../../local/aws/cloud-assembly';
import { shortName } from '../../../../local/aws/shipped-functions';

const FIXTURE = path.resolve(__dirname, '../../../fixtures/cloud-assembly/basic');
const LOCAL: LocalResourceNames = {
  region: 'eu-west-1',
  accountId: '111122223333',
  userPoolId: 'eu-west-1_pool',
  userPoolClientId: 'client-1',
};
const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:111122223333:table/UserProfiles';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:TokenSecretEE55-AbCdEf';
const POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_pool';

const app = loadCloudAssembly(FIXTURE, LOCAL);
const byName = (name: string): ShippedFunction => {
  const fn = app.functions.find((candidate) => candidate.name === name);
  if (!fn) throw new Error(`no function ${name} in ${app.functions.map((f) => f.name)}`);
  return fn;
};

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

type Template = { Resources: Record<string, { Properties: Record<string, unknown> }> };

/** A copy of the fixture whose t-App template went through `mutate`. */
function fixtureWith(mutate: (template: Template) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloud-assembly-'));
  tempDirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  const file = path.join(dir, 't-App.template.json');
  const template = JSON.parse(readFileSync(file, 'utf8')) as Template;
  mutate(template);
  writeFileSync(file, JSON.stringify(template));
  return dir;
}

function setHandlerVariable(value: unknown) {
  return (template: Template) => {
    const props = template.Resources.ThingsHandlerFunction1111AAAA?.Properties as {
      Environment: { Variables: Record<string, unknown> };
    };
    props.Environment.Variables.BROKEN = value;
  };
}

describe('loadCloudAssembly: functions', () => {
  it.each([
    ['LITERAL', 'plain'],
    ['PROFILES_TABLE', 'UserProfiles'],
    ['TOKEN_SECRET_ARN', SECRET_ARN],
    ['USER_POOL_ID', 'eu-west-1_pool'],
    ['CLIENT_ID', 'client-1'],
    ['PSEUDO', 'eu-west-1|111122223333|aws|amazonaws.com'],
    ['SUB_VARS', `client-1/${POOL_ARN}/\${Literal}`],
    ['SELECTED', 'b'],
    ['ISSUER', 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool'],
  ])('resolves environment variable %s to %s', (variable, expected) => {
    // Prepare / Act: the assembly is loaded once above
    const { environment } = byName('ThingsHandler');
    // Assess
    expect(environment[variable]).toBe(expected);
  });

  it('reads settings, role and defaults as CloudFormation applies them', () => {
    // Assess
    expect(byName('ThingsHandler')).toMatchObject({
      logicalId: 'ThingsHandlerFunction1111AAAA',
      stackName: 't-App',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      timeoutSeconds: 7,
      memorySize: 128,
      roleArn: 'arn:aws:iam::111122223333:role/ThingsHandlerRole2222BBBB',
    });
    expect(byName('JobsWorker')).toMatchObject({ timeoutSeconds: 3, memorySize: 256, environment: {} });
  });

  it('finds construct path and bundle from the metadata file + asset manifest, or from template Metadata', () => {
    // Assess
    expect(byName('ThingsHandler')).toMatchObject({
      constructPath: 't-App/Things/Handler/Function/Resource',
      assetDir: path.join(FIXTURE, 'asset.abc'),
    });
    expect(byName('JobsWorker')).toMatchObject({
      constructPath: 't-App/Jobs/Worker/Resource',
      assetDir: path.join(FIXTURE, 'asset.def'),
    });
  });

  it("collects the role's attached policy, inline policy and AWS managed policy statements", () => {
    // Assess
    expect(byName('ThingsHandler').statements).toEqual([
      {
        effect: 'Allow',
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [TABLE_ARN, `${TABLE_ARN}/index/*`],
      },
      { effect: 'Deny', actions: ['dynamodb:DeleteItem'], resources: ['*'] },
      { effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: [SECRET_ARN] },
      { effect: 'Allow', actions: ['cognito-idp:ListUsers'], resources: [POOL_ARN] },
      {
        effect: 'Allow',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: ['*'],
      },
    ]);
    expect(byName('JobsWorker').statements).toEqual([]);
  });

  it.each([
    ['dev-Api/StripeWebhook/StripeWebhook/Function/Resource', 'StripeWebhook'],
    ['dev-Api/Reconcile/Scheduled/Function/Resource', 'ReconcileScheduled'],
    ['dev-Auth/CognitoTriggers/PreSignUp/Function/Resource', 'CognitoTriggersPreSignUp'],
    ['t-App/Jobs/Worker/Resource', 'JobsWorker'],
    ['t-App/Function/Resource', 'Function'],
  ])('names %s %s', (constructPath, expected) => {
    expect(shortName(constructPath)).toBe(expected);
  });
});

describe('loadCloudAssembly: how functions are reached', () => {
  it('maps HTTP routes to their integration function and authorization', () => {
    expect(app.routes).toEqual([
      { method: 'GET', path: '/things', auth: 'jwt', functionLogicalId: 'ThingsHandlerFunction1111AAAA' },
      { method: 'POST', path: '/public/hook', auth: 'none', functionLogicalId: 'ThingsHandlerFunction1111AAAA' },
    ]);
  });

  it('maps user pool triggers and skips LambdaConfig entries that name no function', () => {
    expect(app.triggers).toEqual({ PreSignUp: 'ThingsHandlerFunction1111AAAA' });
  });

  it('lists schedules, not event-pattern rules', () => {
    expect(app.schedules).toEqual([{ expression: 'rate(5 minutes)', functionLogicalId: 'JobsWorkerFunction5555EEEE' }]);
  });

  it('lists tables (TABLES local name, else the logical id), secrets and resolved outputs', () => {
    expect(app.tables).toEqual([
      { logicalId: 'UserProfilesTableAB12CD34', name: 'UserProfiles', arn: TABLE_ARN },
      { logicalId: 'OddTable99', name: 'OddTable99', arn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/OddTable99' },
    ]);
    expect(app.secrets).toEqual([{ logicalId: 'TokenSecretEE55', arn: SECRET_ARN }]);
    expect(app.outputs['t-Data']).toMatchObject({
      ProfilesNameVersioned: 'UserProfiles-v1',
      ExportProfilesArn: TABLE_ARN,
    });
    expect(app.outputs['t-App']).toEqual({
      ApiUrl: 'https://local-HttpApi8888.execute-api.invalid/',
      PoolArn: POOL_ARN,
    });
  });
});

describe('loadCloudAssembly: what it refuses', () => {
  it.each([
    [{ 'Fn::If': ['IsProd', 'a', 'b'] }, /Fn::If is not supported/],
    [{ 'Fn::ImportValue': 't-Data:Missing' }, /no stack in the assembly exports this name/],
    [{ Ref: 'NoSuchThing' }, /no resource, parameter with a default, or pseudo parameter named NoSuchThing/],
    [{ 'Fn::GetAtt': ['NoSuchThing', 'Arn'] }, /no resource NoSuchThing in this stack/],
    [{ 'Fn::Select': [5, ['a']] }, /index 5 is out of range/],
    [{ 'Fn::Join': ['', [{ 'Fn::GetAZs': '' }]] }, /Fn::GetAZs is not supported/],
    [['a', 'b'], /expected a string/],
    ['{{resolve:ssm:/cdk/exports/t-App/x}}', /dynamic reference is resolved by CloudFormation at deploy time/],
  ])('throws on %j, naming stack, logical id and intrinsic', (value, why) => {
    // Prepare
    const dir = fixtureWith(setHandlerVariable(value));
    // Act
    const load = () => loadCloudAssembly(dir, LOCAL);
    // Assess
    expect(load).toThrow(UnresolvableIntrinsicError);
    expect(load).toThrow(/^t-App\/ThingsHandlerFunction1111AAAA: cannot resolve /);
    expect(load).toThrow(why);
  });

  it.each([
    ['Condition', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }, /Condition is not supported/],
    ['NotAction', { NotAction: 'iam:*' }, /NotAction is not supported/],
  ])('refuses a statement with %s rather than misjudge it', (_key, extra, why) => {
    // Prepare
    const dir = fixtureWith((template) => {
      const document = template.Resources.ThingsHandlerRoleDefaultPolicy3333CCCC?.Properties.PolicyDocument as {
        Statement: Record<string, unknown>[];
      };
      Object.assign(document.Statement[0] ?? {}, extra);
    });
    // Act / Assess
    expect(() => loadCloudAssembly(dir, LOCAL)).toThrow(CloudAssemblyError);
    expect(() => loadCloudAssembly(dir, LOCAL)).toThrow(why);
  });

  it('refuses a managed policy whose statements it does not know', () => {
    // Prepare
    const dir = fixtureWith((template) => {
      const props = template.Resources.ThingsHandlerRole2222BBBB?.Properties ?? {};
      props.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess'];
    });
    // Act / Assess
    expect(() => loadCloudAssembly(dir, LOCAL)).toThrow(/managed policy AdministratorAccess is unknown/);
  });

  it('refuses a folder that is not a cloud assembly', () => {
    expect(() => loadCloudAssembly(path.join(FIXTURE, 'asset.abc'), LOCAL)).toThrow(/is this a cloud assembly folder/);
  });
});
