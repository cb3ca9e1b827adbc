import type { Recipe } from '../recipe.js';
import database from './database.js';
import initialSetup from './initial-setup.js';
import patchOs from './patch-os.js';
import restartService from './restart-service.js';
import rotateDatabasePassword from './rotate-database-password.js';
import webServer from './web-server.js';

const all: readonly Recipe[] = [initialSetup, webServer, database, rotateDatabasePassword, patchOs, restartService];

/** Every recipe Steward offers, by id. */
export const RECIPES: ReadonlyMap<string, Recipe> = new Map<string, Recipe>(all.map((recipe) => [recipe.id, recipe]));
