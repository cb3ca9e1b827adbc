/** Query key of the person's API tokens, shared by the list and the form that adds to it. */
export const TOKENS_KEY = ['me', 'tokens'] as const;
