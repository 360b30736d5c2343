/** Shared settings of the hostile-input properties. */

/** fast-check runs per property (the issue asks for at least 1,000). */
export const CASES = Number(process.env.HARDENING_PROPERTY_RUNS ?? 1000);

/** Calls that change state somewhere: none may happen for bad input. */
const WRITE =
  /^(dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)|cognito:Admin(AddUserToGroup|RemoveUserFromGroup|CreateUser|UpdateUserAttributes|DeleteUser|LinkProviderForUser|DisableProviderForUser)|stripe:(POST|DELETE) )/;

export function isWrite(call: string): boolean {
  return WRITE.test(call);
}
