/**
 * The parameters of Steward's recipes, for the run form. GET /api/recipes names the recipes but does not
 * describe their parameters yet, so the console knows them here (by recipe id); a recipe missing here runs
 * with its defaults. None of them is a secret: recipes generate or read their secrets in the vault.
 */
export interface RecipeParam {
  readonly name: string;
  readonly label: string;
  readonly hint: string;
  readonly pattern: string;
  readonly defaultValue?: string;
}

const SQL_NAME = '[a-z_][a-z0-9_]{0,31}';

export const RECIPE_PARAMS: Readonly<Record<string, readonly RecipeParam[]>> = {
  'initial-setup': [
    {
      name: 'adminUser',
      label: 'Administrator account',
      hint: 'Created with passwordless sudo and your organisation’s key. Not root.',
      pattern: '[a-z_][a-z0-9_\\-]{0,31}',
      defaultValue: 'steward-admin',
    },
  ],
  database: [
    { name: 'name', label: 'Database name', hint: 'Lowercase letters, digits and _.', pattern: SQL_NAME },
    {
      name: 'user',
      label: 'Owner account',
      hint: 'Its password is generated and sealed; it is never shown.',
      pattern: SQL_NAME,
    },
  ],
  'rotate-database-password': [
    { name: 'name', label: 'Database name', hint: 'The database whose owner gets a new password.', pattern: SQL_NAME },
    { name: 'user', label: 'Owner account', hint: 'The new password is generated and sealed.', pattern: SQL_NAME },
  ],
  'restart-service': [
    {
      name: 'service',
      label: 'Service',
      hint: 'As systemd or OpenRC names it, e.g. nginx.',
      pattern: '[A-Za-z0-9][A-Za-z0-9_.@\\-]{0,127}',
    },
  ],
};
