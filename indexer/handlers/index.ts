import { creatorCoinsHandler } from "./coins";
import { messagingHandler } from "./messaging";
import { moderationHandler } from "./moderation";
import { governanceTokenHandler, governorHandler, timelockHandler } from "./governance";
import { profileRegistryHandler } from "./profileRegistry";
import { revenueSplitHandler } from "./revenueSplit";
import { tipJarHandler } from "./tipJar";
import type { Handler } from "./types";

/** Every contract the indexer understands, by its name in the deployment file. */
export const HANDLERS: readonly Handler[] = [
  profileRegistryHandler,
  creatorCoinsHandler,
  tipJarHandler,
  revenueSplitHandler,
  governanceTokenHandler,
  governorHandler,
  timelockHandler,
  moderationHandler,
  messagingHandler,
];
