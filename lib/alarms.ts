import { Annotations, Aws, CfnOutput, Duration, type IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import { suppressAlarmEmailFindings } from './nag-suppressions';
import type { StageConfig } from './stage-config';

/**
 * The stage's alarm topic and the rule that every alarm notifies it.
 *
 * One SNS topic per stage, in the Api stack (where every alarm of the app lives, next to the functions it watches),
 * encrypted with its own KMS key (CloudWatch cannot publish to a topic under the AWS-managed SNS key), publishing
 * over TLS only, and allowing CloudWatch to publish only for this stack's alarms. Email subscriptions come from the
 * stage config (`alarmEmails`); anything else (AWS Chatbot, PagerDuty, an HTTPS hook) subscribes to the
 * `AlarmTopicArn` output.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: { config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    // Alarm names are generated as "<stack name>-<logical id>-<suffix>": only this stack's alarms may publish.
    const conditions = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: {
        'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${stack.stackName}-*`,
      },
    };

    this.key = new kms.Key(this, 'Key', {
      description: `Entitlements (${config.stage}): encrypts the alarm topic`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions,
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `Entitlements ${config.stage} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions,
      }),
    );
    for (const email of config.alarms.emails) {
      suppressAlarmEmailFindings(this.topic.addSubscription(new subscriptions.EmailSubscription(email)));
    }
    if (config.alarms.emails.length === 0 && config.stage !== 'dev') {
      Annotations.of(this).addWarningV2(
        'entitlements:alarm-topic-no-subscriber',
        `Stage "${config.stage}" has no alarmEmails: alarms notify a topic nobody reads until something subscribes ` +
          'to the AlarmTopicArn output (context alarmEmails=ops@example.com, or AWS Chatbot)',
      );
    }
    new CfnOutput(stack, 'AlarmTopicArn', {
      value: this.topic.topicArn,
      description: 'SNS topic every alarm of the stage notifies (subscribe email, chat or paging here)',
    });
  }
}

/**
 * Aspect: every CloudWatch alarm in the stack notifies the topic when it goes into ALARM and when it recovers. An
 * alarm in a stack without the topic fails synth (a cross-stack reference from Data/Auth to Api would be a cycle):
 * create alarms in the Api stack, where the functions they watch live (the trigger metrics are read across stacks).
 */
export class NotifyAlarmTopic implements IAspect {
  private readonly done = new WeakSet<IConstruct>();

  constructor(private readonly topic: sns.ITopic) {}

  visit(node: IConstruct): void {
    if (node instanceof cloudwatch.CfnAlarm || node instanceof cloudwatch.CfnCompositeAlarm) {
      const owner = node.node.scope;
      if (!(owner instanceof cloudwatch.AlarmBase)) {
        Annotations.of(node).addError('Create alarms with the L2 Alarm/CompositeAlarm so the alarm topic is attached');
      }
      return;
    }
    if (!(node instanceof cloudwatch.AlarmBase) || this.done.has(node)) return;
    this.done.add(node);
    if (Stack.of(node) !== Stack.of(this.topic)) {
      Annotations.of(node).addError(
        `Alarm ${node.node.path} is outside ${Stack.of(this.topic).stackName}, where the alarm topic is: create it there`,
      );
      return;
    }
    const action = new SnsAction(this.topic);
    node.addAlarmAction(action);
    node.addOkAction(action);
  }
}

export interface CountAlarmOptions {
  readonly metric: cloudwatch.IMetric;
  readonly description: string;
  /** @default 1 */
  readonly threshold?: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** @default evaluationPeriods (every period breaching) */
  readonly datapointsToAlarm?: number;
  /** @default GREATER_THAN_OR_EQUAL_TO_THRESHOLD */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  /** @default NOT_BREACHING: no data means nothing failed */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

/** A count alarm with the app's defaults: fires on the first occurrence, missing data is "nothing happened". */
export function countAlarm(scope: Construct, id: string, options: CountAlarmOptions): cloudwatch.Alarm {
  const evaluationPeriods = options.evaluationPeriods ?? 1;
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: options.description,
    metric: options.metric,
    threshold: options.threshold ?? 1,
    evaluationPeriods,
    datapointsToAlarm: options.datapointsToAlarm ?? evaluationPeriods,
    comparisonOperator: options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
