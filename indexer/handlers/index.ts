import { creatorCoinsHandler } from "./coins";
import { profileRegistryHandler } from "./profileRegistry";
import type { Handler } from "./types";

/** Every contract the indexer understands, by its name in the deployment file. */
export const HANDLERS: readonly Handler[] = [profileRegistryHandler, creatorCoinsHandler];
