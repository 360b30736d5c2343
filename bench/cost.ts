/**
 * Dollars per million webhook events on AWS list prices. The prices are inputs, written down here with their
 * source date, so the model can be re-run when they change.
 */
export const PRICES_US_EAST_1 = {
  asOf: 'AWS public list prices, us-east-1, on-demand (checked 2026-11)',
  httpApiPerMillionRequests: 1.0,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
} as const;

export interface CostInputs {
  /** Measured median handler duration per event, in milliseconds. */
  durationMs: number;
  memoryMb: number;
  /** Counted DynamoDB requests per event, by kind. */
  readsPerEvent: number;
  writesPerEvent: number;
  /** Capacity units per request: a strongly consistent read under 4 KB costs 1; a write of an item up to 2 KB, 2. */
  unitsPerRead?: number;
  unitsPerWrite?: number;
}

export interface CostBreakdown {
  httpApi: number;
  lambdaRequests: number;
  lambdaCompute: number;
  dynamoReads: number;
  dynamoWrites: number;
  total: number;
}

export function costPerMillionEvents(inputs: CostInputs, prices = PRICES_US_EAST_1): CostBreakdown {
  // Lambda bills duration rounded up to the millisecond.
  const gbSeconds = (Math.ceil(inputs.durationMs) / 1000) * (inputs.memoryMb / 1024) * 1_000_000;
  const httpApi = prices.httpApiPerMillionRequests;
  const lambdaRequests = prices.lambdaPerMillionRequests;
  const lambdaCompute = gbSeconds * prices.lambdaArmPerGbSecond;
  const dynamoReads = inputs.readsPerEvent * (inputs.unitsPerRead ?? 1) * prices.dynamoPerMillionReadUnits;
  const dynamoWrites = inputs.writesPerEvent * (inputs.unitsPerWrite ?? 2) * prices.dynamoPerMillionWriteUnits;
  const total = httpApi + lambdaRequests + lambdaCompute + dynamoReads + dynamoWrites;
  return { httpApi, lambdaRequests, lambdaCompute, dynamoReads, dynamoWrites, total };
}
