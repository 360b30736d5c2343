/**
 * What Cognito would email or text on the local stack: cognito-local hands its messages (sign-up confirmation
 * codes, forgotten-password codes) to this inbox instead of the console, so the example page and tests can read a
 * code the way a person reads their mail. Local only; nothing like it exists in AWS.
 */
export interface InboxMessage {
  /** The email address or phone number the message went to. */
  to: string;
  username: string;
  code: string | undefined;
  subject: string | undefined;
  at: Date;
}

export class LocalInbox {
  readonly messages: InboxMessage[] = [];

  record(message: InboxMessage): void {
    this.messages.push(message);
    if (this.messages.length > 1000) this.messages.shift();
  }

  /** The newest code sent to `to` (case-insensitive), if any. */
  latestCode(to: string): string | undefined {
    const wanted = to.trim().toLowerCase();
    for (let i = this.messages.length - 1; i >= 0; i -= 1) {
      const message = this.messages[i];
      if (message?.to.toLowerCase() === wanted && message.code) return message.code;
    }
    return undefined;
  }
}

interface CognitoLocalMessage {
  __code?: string;
  emailSubject?: string;
}

/** cognito-local's MessageSender interface (sendEmail / sendSms), recording into an inbox. */
export class InboxMessageSender {
  constructor(private readonly inbox: LocalInbox) {}

  async sendEmail(_ctx: unknown, user: { Username: string }, destination: string, message: CognitoLocalMessage) {
    this.record(user, destination, message);
  }

  async sendSms(_ctx: unknown, user: { Username: string }, destination: string, message: CognitoLocalMessage) {
    this.record(user, destination, message);
  }

  private record(user: { Username: string }, destination: string, message: CognitoLocalMessage) {
    this.inbox.record({
      to: destination,
      username: user.Username,
      code: message.__code,
      subject: message.emailSubject,
      at: new Date(),
    });
  }
}
