import type { Recipe } from '../recipe.js';

/** Every recipe Steward offers, by id. */
export const RECIPES: ReadonlyMap<string, Recipe<any>> = new Map<string, Recipe<any>>([]);
