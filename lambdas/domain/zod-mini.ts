import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod/mini for the schemas every Lambda parses at its first request (environment, plan catalog, credit packs,
 * Stripe events): the same zod 4 core as `zod` (same checks, issues and messages), without classic zod's methods on
 * every schema, which cost about 35 ms of module init in each bundle (docs/benchmarks.md). zod/mini loads no locale:
 * the English one is set here, so messages read as classic zod's ("Invalid input: expected string, received number").
 * Import zod/mini through this module (`import * as z from './zod-mini'`) so the locale is always set; property
 * reads on the namespace (`z.string`) let esbuild keep only the parts used (a namespace passed around as a value,
 * or the locales index, would keep all of zod/mini and every locale).
 */
config(en());

export * from 'zod/mini';
