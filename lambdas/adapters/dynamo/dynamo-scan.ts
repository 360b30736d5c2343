import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dependencyError } from '../../domain/errors';
import { type BackoffOptions, withBackoff } from '../backoff';

export interface ParallelScanOptions {
  /** Parallel scan segments (DynamoDB's TotalSegments). @default 4 */
  segments?: number;
  backoff?: BackoffOptions;
}

/**
 * Reads a whole table with a parallel scan: every segment pages on its own (1 MB per page), each page retried on
 * throttling. Strongly consistent reads are not needed: reconcile re-checks with conditional writes.
 */
export async function parallelScan<T>(
  ddb: DynamoDBDocumentClient,
  tableName: string,
  options: ParallelScanOptions = {},
): Promise<T[]> {
  const segments = Math.max(1, options.segments ?? 4);
  const scanSegment = async (segment: number): Promise<T[]> => {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await withBackoff(
        () =>
          ddb.send(
            new ScanCommand({
              TableName: tableName,
              Segment: segment,
              TotalSegments: segments,
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          ),
        options.backoff,
      );
      items.push(...((page.Items ?? []) as T[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };
  try {
    const parts = await Promise.all(Array.from({ length: segments }, (_, segment) => scanSegment(segment)));
    return parts.flat();
  } catch (error) {
    throw dependencyError('dynamodb', `scan of ${tableName}`, error);
  }
}
