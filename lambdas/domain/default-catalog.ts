import type { PlanCatalogInput } from './plan-catalog-schema';

/** The catalog a stage gets unless its config brings its own. */

const PRO_FEATURES = ['scheduled-backups', 'multiple-sources'];
const BUSINESS_FEATURES = [...PRO_FEATURES, 'team-management', 'advanced-backups'];

export const DEFAULT_CATALOG: PlanCatalogInput = {
  plans: [
    { id: 'free', group: 'free', precedence: 50, features: ['manual-backups'] },
    { id: 'trial', group: 'trial', precedence: 45, features: PRO_FEATURES, trialDays: 14 },
    {
      id: 'starter',
      group: 'starter',
      precedence: 40,
      prices: { month: 'starter_monthly', year: 'starter_yearly' },
      features: ['basic-backups'],
    },
    {
      id: 'pro',
      group: 'pro',
      precedence: 30,
      prices: { month: 'pro_monthly', year: 'pro_yearly' },
      features: PRO_FEATURES,
    },
    {
      id: 'business',
      group: 'business',
      precedence: 25,
      prices: { month: 'business_monthly', year: 'business_yearly' },
      features: BUSINESS_FEATURES,
    },
    {
      id: 'enterprise',
      group: 'enterprise',
      precedence: 3,
      prices: { month: 'enterprise_monthly', year: 'enterprise_yearly' },
      features: [...BUSINESS_FEATURES, 'advanced-analytics', 'custom-integrations', 'priority-support'],
    },
  ],
};
